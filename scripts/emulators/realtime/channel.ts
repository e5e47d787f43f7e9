import { epochSeconds } from '../../../shared/clock.ts';
import { type AuthContext, type Extension, type Policies, readPolicies } from './authorization.ts';
import type { ChangeListener } from './changes/dispatch.ts';
import type { ChannelHost, RealtimeContext } from './context.ts';
import type { Subscriber } from './hub.ts';
import { hubKey } from './hub.ts';
import type { JoinConfig } from './join-config.ts';
import { SlidingStart, WindowCounter } from './limits.ts';
import { encodePush, encodeReply, type InMessage } from './serializer.ts';
import { type Claims, confirmToken, type TokenResult } from './tokens.ts';

let nextId = 1;

/**
 * One joined channel: a Phoenix channel process of Realtime's `RealtimeChannel`. It holds
 * the caller's token and claims, the policies RLS granted (private channels), its presence
 * and its Postgres Changes subscriptions.
 */
export class Channel implements Subscriber, ChangeListener {
  readonly id = nextId++;
  readonly subTopic: string;
  readonly key: string;
  readonly rate: WindowCounter;
  readonly presenceCalls: SlidingStart;
  token: string;
  claims: Claims = { role: 'anon', exp: 0 };
  policies: Policies | null = null;
  presenceEnabled: boolean;
  tracked: string | undefined;
  /** The join reply's `postgres_changes`: the client's entries with their ids. */
  bindings: Array<Record<string, unknown> & { id: number }> = [];
  closed = false;

  readonly ctx: RealtimeContext;
  readonly host: ChannelHost;
  readonly topic: string;
  readonly joinRef: string | null;
  readonly config: JoinConfig;

  constructor(
    ctx: RealtimeContext,
    host: ChannelHost,
    topic: string,
    joinRef: string | null,
    config: JoinConfig,
  ) {
    this.ctx = ctx;
    this.host = host;
    this.topic = topic;
    this.joinRef = joinRef;
    this.config = config;
    this.subTopic = topic.replace(/^realtime:/, '');
    this.key = hubKey(this.subTopic, config.private);
    this.token = config.accessToken?.startsWith('sb_')
      ? host.tenantToken
      : (config.accessToken ?? host.tenantToken);
    this.presenceEnabled = config.presenceEnabled;
    this.rate = new WindowCounter(ctx.clock, 1000, ctx.settings.maxEventsPerSecond);
    this.presenceCalls = new SlidingStart(
      ctx.clock,
      ctx.settings.clientPresenceWindowMs,
      ctx.settings.maxClientPresenceEventsPerWindow,
    );
  }

  get vsn() {
    return this.host.vsn;
  }

  get isPrivate() {
    return this.config.private;
  }

  canRead(kind: 'broadcast' | 'presence'): boolean {
    return !this.isPrivate || this.policies?.[kind].read === true;
  }

  send(frame: string | Buffer) {
    if (!this.closed) this.host.send(frame);
  }

  /** A server push on this channel (carries the join ref). */
  push(event: string, payload: unknown) {
    this.send(encodePush(this.vsn, this.topic, event, payload, this.joinRef));
  }

  reply(msg: InMessage, status: 'ok' | 'error', response: unknown = {}) {
    this.send(encodeReply(this.vsn, msg, status, response));
  }

  /** Realtime's `system` message, e.g. "Subscribed to PostgreSQL" or a shutdown reason. */
  system(extension: string, status: 'ok' | 'error', message: string) {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  deliver(payload: { ids: number[]; data: Record<string, unknown> }) {
    this.send(encodePush(this.vsn, this.topic, 'postgres_changes', payload, null));
  }

  authContext(): AuthContext {
    return { topic: this.subTopic, claims: this.claims, headers: this.host.headers };
  }

  extensions(): Extension[] {
    return this.presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
  }

  confirm(): Promise<TokenResult> {
    return confirmToken(this.token, this.ctx.verifyJwt, this.ctx.clock);
  }

  /** Read policies for a private channel; an error message when none grants read. */
  async authorizeRead(): Promise<string | undefined> {
    const denied = `You do not have permissions to read from this Channel topic: ${this.subTopic}`;
    try {
      this.policies = await readPolicies(
        this.ctx.db,
        this.authContext(),
        {
          broadcast: {},
          presence: {},
        },
        this.extensions(),
      );
    } catch (err) {
      this.ctx.log('warn', `RlsPolicyError: ${(err as Error).message}`);
      return denied;
    }
    const { broadcast, presence } = this.policies;
    return broadcast.read || presence.read ? undefined : denied;
  }

  /** The token's expiry passed (by the emulator's clock): end the channel as Realtime does. */
  async checkExpiry() {
    if (this.closed || epochSeconds(this.ctx.clock) < this.claims.exp) return;
    const result = await this.confirm();
    if (!result.ok) this.shutdown(result.message);
  }

  /** Ends the channel with an error `system` message, then `phx_close`. */
  shutdown(message: string) {
    if (this.closed) return;
    this.system('system', 'error', message);
    this.close();
  }

  /** Sends `phx_close` and forgets the channel. */
  close() {
    if (this.closed) return;
    this.send(encodePush(this.vsn, this.topic, 'phx_close', {}, this.joinRef, this.joinRef));
    this.release();
  }

  /** Forgets the channel without telling the client (its socket is gone). */
  release() {
    if (this.closed) return;
    this.closed = true;
    this.ctx.hub.unsubscribe(this.key, this);
    this.ctx.presence.untrack(this.key, this);
    this.ctx.changes.removeOwner(this);
    this.host.release(this.topic, this.joinRef);
  }
}
