import type { PgSubscription } from './changes/dispatch.ts';
import { parseSubscriptionParams } from './changes/params.ts';
import { resolveSubscription } from './changes/subscribe.ts';
import { Channel } from './channel.ts';
import type { ChannelHost, RealtimeContext } from './context.ts';
import { bindingId, readJoinConfig } from './join-config.ts';
import { encodeReply, type InMessage } from './serializer.ts';

const TOKEN_CODES = {
  malformed: 'MalformedJWT',
  signature: 'JwtSignatureError',
  expired: 'InvalidJWTToken',
  missing_claims: 'InvalidJWTToken',
} as const;

/**
 * `phx_join` on `realtime:<topic>`, in Realtime's order: limits (users, joins per second,
 * channels per socket), the token, then RLS for private channels. Answers the join and
 * returns the channel, or answers the error and returns nothing.
 */
export async function joinChannel(
  ctx: RealtimeContext,
  host: ChannelHost,
  msg: InMessage,
): Promise<Channel | undefined> {
  const refuse = (reason: string) => {
    host.send(encodeReply(host.vsn, msg, 'error', { reason }));
    return undefined;
  };
  if (msg.topic === 'realtime:') return refuse('TopicNameRequired: You must provide a topic name');
  const { settings } = ctx;
  if (host.channelCount() === 0 && ctx.users.size >= settings.maxConcurrentUsers) {
    return refuse('ConnectionRateLimitReached: Too many connected users');
  }
  if (!ctx.joins.hit()) {
    refuse('ClientJoinRateLimitReached: Too many joins per second');
    host.disconnect();
    return undefined;
  }
  if (host.channelCount() >= settings.maxChannelsPerClient) {
    return refuse('ChannelRateLimitReached: Too many channels');
  }
  const channel = new Channel(ctx, host, msg.topic, msg.joinRef, readJoinConfig(msg.payload));
  const token = await channel.confirm();
  if (!token.ok) return refuse(`${TOKEN_CODES[token.reason]}: ${token.message}`);
  channel.claims = token.claims;
  if (channel.isPrivate) {
    const denied = await channel.authorizeRead();
    if (denied) return refuse(`Unauthorized: ${denied}`);
  }
  channel.bindings = channel.config.postgresChanges.map((p) => ({ ...p, id: bindingId(p) }));
  ctx.hub.subscribe(channel.key, channel);
  host.send(encodeReply(host.vsn, msg, 'ok', { postgres_changes: channel.bindings }));
  if (channel.presenceEnabled && channel.canRead('presence')) {
    channel.push('presence_state', ctx.presence.list(channel.key));
  }
  if (channel.bindings.length) await subscribeChanges(channel);
  return channel;
}

/**
 * Registers the channel's Postgres Changes subscriptions (all or none), then says so with a
 * `system` message: "Subscribed to PostgreSQL", or why not. Called again after a token swap,
 * the channel keeps its subscriptions while the new ones are checked and swaps them at once,
 * as Realtime's upsert of its subscription rows does: a change committed meanwhile still
 * reaches the client (checked with the channel's new claims). A failed check drops them.
 */
export async function subscribeChanges(channel: Channel): Promise<void> {
  const { ctx } = channel;
  const refuse = (message: string) => {
    ctx.changes.removeOwner(channel);
    channel.system('postgres_changes', 'error', message);
  };
  if (!ctx.replicationAvailable()) {
    return refuse(
      'Unable to subscribe to changes: logical replication is not available (wal_level must be logical)',
    );
  }
  const subs: PgSubscription[] = [];
  for (const binding of channel.bindings) {
    const parsed = parseSubscriptionParams(binding);
    if (!parsed.ok) return refuse(parsed.message);
    const resolved = await resolveSubscription(ctx.db, parsed.params, channel.claims.role);
    if (!resolved.ok) return refuse(resolved.message);
    subs.push({
      id: binding.id,
      owner: channel,
      params: parsed.params,
      entities: new Set(resolved.entities.map((e) => e.oid)),
    });
  }
  if (channel.closed) return;
  ctx.changes.replaceOwner(channel, subs);
  channel.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
}
