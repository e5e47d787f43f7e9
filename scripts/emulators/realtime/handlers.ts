import { readPolicies, writePolicies } from './authorization.ts';
import type { Channel } from './channel.ts';
import { subscribeChanges } from './join.ts';
import { payloadBytes, payloadLimit } from './limits.ts';
import type { InMessage, Outbound } from './serializer.ts';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** A client message on a joined channel, routed as Realtime's `handle_in` routes it. */
export async function handleIn(ch: Channel, msg: InMessage): Promise<void> {
  if (msg.event === 'phx_leave') {
    ch.reply(msg, 'ok');
    ch.close();
    return;
  }
  if (msg.event === 'broadcast') return broadcast(ch, msg);
  if (msg.event === 'presence') return presence(ch, msg);
  const token = obj(msg.payload)?.access_token;
  if (msg.event === 'access_token' && (typeof token === 'string' || token === null)) {
    return accessToken(ch, token);
  }
  // Anything else is counted and ignored.
  if (!ch.rate.hit()) ch.shutdown('Too many messages per second');
}

async function broadcast(ch: Channel, msg: InMessage) {
  const { ctx } = ch;
  if (ch.isPrivate) {
    if (ch.policies?.broadcast.write === undefined) {
      try {
        ch.policies = await writePolicies(
          ctx.db,
          ch.authContext(),
          ch.policies ?? { broadcast: {}, presence: {} },
          ['broadcast', 'presence'],
        );
      } catch (err) {
        ctx.log('warn', `RlsPolicyError: ${(err as Error).message}`);
        return;
      }
    }
    // Without an insert policy the message is dropped, and not even acknowledged.
    if (!ch.policies?.broadcast.write) return;
  }
  if (!ch.rate.hit()) return ch.shutdown('Too many messages per second');
  let out: Outbound;
  let size: number;
  if (msg.user) {
    out = { kind: 'user', broadcast: { ...msg.user, meta: undefined } };
    size = msg.user.data.length;
  } else {
    const payload = obj(msg.payload);
    if (!payload) return;
    out = { kind: 'json', event: 'broadcast', payload };
    size = payloadBytes(payload);
  }
  if (size > payloadLimit(ctx.settings.maxPayloadSizeKb)) {
    if (ch.config.ack) ch.reply(msg, 'error', 'payload_size_exceeded');
    return;
  }
  ctx.hub.publish(ch.key, out, { kind: 'broadcast', except: ch.config.self ? undefined : ch });
  if (ch.config.ack) ch.reply(msg, 'ok');
}

async function presence(ch: Channel, msg: InMessage) {
  const { ctx } = ch;
  const body = obj(msg.payload) ?? {};
  if (typeof body.event !== 'string') return ch.reply(msg, 'ok');
  if (!ch.presenceCalls.hit()) return ch.shutdown('Client presence rate limit exceeded');
  const event = body.event.toLowerCase();
  if (event === 'untrack') {
    ctx.presence.untrack(ch.key, ch);
    ch.tracked = undefined;
    return ch.reply(msg, 'ok');
  }
  if (event !== 'track') {
    ctx.log('warn', `UnknownPresenceEvent: ${event}`);
    return ch.reply(msg, 'error');
  }
  if (ch.isPrivate && ch.policies?.presence.write === undefined) {
    try {
      let policies = ch.policies ?? { broadcast: {}, presence: {} };
      if (policies.presence.read === undefined) {
        policies = await readPolicies(ctx.db, ch.authContext(), policies, [
          'broadcast',
          'presence',
        ]);
      }
      ch.policies = await writePolicies(ctx.db, ch.authContext(), policies, [
        'broadcast',
        'presence',
      ]);
    } catch (err) {
      ctx.log('warn', `RlsPolicyError: ${(err as Error).message}`);
      return ch.reply(msg, 'error');
    }
  }
  if (ch.isPrivate && !ch.policies?.presence.write) return ch.reply(msg, 'error');
  const payload = body.payload === undefined ? {} : obj(body.payload);
  if (!payload) return ch.reply(msg, 'error', { reason: 'Presence track payload must be a map' });
  const text = JSON.stringify(payload);
  if (text === ch.tracked) return ch.reply(msg, 'ok');
  if (Buffer.byteLength(text) > payloadLimit(ctx.settings.maxPayloadSizeKb)) {
    return ch.shutdown('Track message size exceeded');
  }
  ch.presenceEnabled = true;
  ch.tracked = text;
  ctx.presence.track(ch.key, ch, ch.config.presenceKey, payload);
  ch.reply(msg, 'ok');
}

/** A fresh token for the channel: checked, and for private channels RLS asked again. */
async function accessToken(ch: Channel, token: string | null) {
  if (token === null || token.startsWith('sb_') || token === ch.token) return;
  const previous = ch.policies;
  ch.token = token;
  ch.policies = null;
  const result = await ch.confirm();
  if (!result.ok) {
    return ch.shutdown(result.reason === 'signature' ? ':signature_error' : result.message);
  }
  ch.claims = result.claims;
  if (ch.isPrivate) {
    const denied = await ch.authorizeRead();
    if (denied) return ch.shutdown(denied);
    const revoked = (kind: 'broadcast' | 'presence') =>
      previous?.[kind].read === true && ch.policies?.[kind].read === false;
    if (revoked('broadcast') || revoked('presence')) {
      return ch.shutdown(
        `You no longer have permission to read from this Channel topic: ${ch.subTopic}`,
      );
    }
  }
  // As Realtime, Postgres Changes are subscribed again with the new claims.
  if (ch.bindings.length) await subscribeChanges(ch);
}
