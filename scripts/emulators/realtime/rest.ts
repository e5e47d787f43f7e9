import { type Context, Hono } from 'hono';
import { checkApiKey } from '../auth/gate.ts';
import { RlsPolicyError, writePolicies } from './authorization.ts';
import type { RealtimeContext } from './context.ts';
import { hubKey } from './hub.ts';
import { payloadBytes, payloadLimit } from './limits.ts';
import { type Claims, confirmToken } from './tokens.ts';

type Env = { Variables: { claims: Claims } };

const headersOf = (req: Request) => {
  const out: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    out[k] = v;
  });
  return out;
};

/**
 * Realtime's REST broadcast under `/realtime/v1/api`: the batch form
 * (`POST /broadcast`, `{messages: [{topic, event, payload, private}]}`) and the single form
 * (`POST /broadcast/{topic}/events/{event}`, a JSON or binary body, `?private=true`). Both
 * answer 202; private messages need an `insert` policy on realtime.messages.
 */
export function restApp(ctx: RealtimeContext, apiKeys: string[]): Hono<Env> {
  const app = new Hono<Env>().basePath('/realtime/v1');
  app.use(async (c, next) => {
    // Realtime's broadcast API has open CORS, so browsers may call it directly.
    c.header('access-control-allow-origin', '*');
    if (c.req.method === 'OPTIONS') {
      c.header(
        'access-control-allow-headers',
        'authorization, apikey, content-type, x-client-info',
      );
      c.header('access-control-allow-methods', 'POST, OPTIONS');
      return c.body(null, 204);
    }
    const refusal = checkApiKey(c.req.raw, apiKeys);
    if (refusal) return refusal;
    await next();
  });

  const authenticate = async (c: Context<Env>) => {
    const bearer = /^bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const token = bearer ?? c.req.header('apikey');
    const result = token ? await confirmToken(token, ctx.verifyJwt, ctx.clock) : undefined;
    if (!result?.ok) return c.json({ message: 'Unauthorized' }, 401);
    c.set('claims', result.claims);
    return undefined;
  };
  const canWrite = async (c: Context<Env>, topic: string) => {
    const ctxAuth = { topic, claims: c.get('claims'), headers: headersOf(c.req.raw) };
    const policies = await writePolicies(ctx.db, ctxAuth, { broadcast: {}, presence: {} }, [
      'broadcast',
      'presence',
    ]);
    return policies.broadcast.write === true;
  };
  const limit = payloadLimit(ctx.settings.maxPayloadSizeKb);

  app.post('/api/broadcast', async (c) => {
    const denied = await authenticate(c);
    if (denied) return denied;
    const body = (await c.req.json().catch(() => undefined)) as { messages?: unknown } | undefined;
    if (!body || typeof body !== 'object') {
      return c.json({ errors: { detail: 'Bad Request' } }, 400);
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return c.json({ errors: { messages: ["can't be blank"] } }, 422);
    }
    const messages = body.messages as Array<Record<string, unknown>>;
    const errors = messages.map((m) => {
      const e: Record<string, string[]> = {};
      for (const k of ['topic', 'event'] as const) {
        if (typeof m?.[k] !== 'string' || !m[k]) e[k] = ["can't be blank"];
      }
      const p = m?.payload;
      if (p === undefined || p === null) e.payload = ["can't be blank"];
      else if (typeof p !== 'object' || Array.isArray(p)) e.payload = ['is invalid'];
      else if (payloadBytes(p) > limit) e.payload = ['Payload size exceeds tenant limit'];
      return e;
    });
    if (errors.some((e) => Object.keys(e).length))
      return c.json({ errors: { messages: errors } }, 422);
    if (ctx.restEvents.full()) return c.json({ message: 'You have exceeded your rate limit' }, 429);
    if (!ctx.restEvents.hit(messages.length)) {
      return c.json(
        { message: 'Too many messages to broadcast, please reduce the batch size' },
        429,
      );
    }
    const allowed = new Map<string, boolean>();
    for (const m of messages) {
      const topic = m.topic as string;
      const isPrivate = m.private === true;
      if (isPrivate && !allowed.has(topic)) {
        allowed.set(topic, await canWrite(c, topic).catch(() => false));
      }
      // Private messages without an insert policy are skipped, and the batch still succeeds.
      if (isPrivate && !allowed.get(topic)) continue;
      const payload: Record<string, unknown> = {
        payload: m.payload,
        event: m.event,
        type: 'broadcast',
      };
      if (m.id !== undefined) payload.meta = { id: m.id };
      ctx.hub.publish(
        hubKey(topic, isPrivate),
        { kind: 'json', event: 'broadcast', payload },
        {
          kind: 'broadcast',
        },
      );
    }
    return c.body(null, 202);
  });

  app.post('/api/broadcast/:topic/events/:event', async (c) => {
    const type = c.req.header('content-type');
    const media = type?.split(';')[0]?.trim().toLowerCase();
    const binary = media === 'application/octet-stream';
    if (type && !binary && media !== 'application/json') {
      return c.json(
        { error: 'Unsupported Media Type. Use application/json or application/octet-stream' },
        415,
      );
    }
    const denied = await authenticate(c);
    if (denied) return denied;
    const raw = Buffer.from(await c.req.arrayBuffer());
    let data = raw;
    if (!binary) {
      let parsed: unknown = {};
      try {
        parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return c.json({ errors: { detail: 'Bad Request' } }, 400);
      }
      // As Phoenix's JSON parser, a body that is not an object arrives under `_json`.
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        parsed = { _json: parsed };
      data = Buffer.from(JSON.stringify(parsed));
    }
    if (data.length > limit) {
      return c.json({ errors: { payload: ['Payload size exceeds tenant limit'] } }, 422);
    }
    if (!ctx.restEvents.hit()) return c.json({ message: 'You have exceeded your rate limit' }, 429);
    const topic = c.req.param('topic');
    const isPrivate = c.req.query('private') === 'true';
    if (isPrivate) {
      try {
        if (!(await canWrite(c, topic))) return c.json({ message: 'Unauthorized' }, 403);
      } catch (err) {
        if (!(err instanceof RlsPolicyError)) throw err;
        return c.json({ message: 'RLS policy error' }, 422);
      }
    }
    const broadcast = {
      event: c.req.param('event'),
      encoding: binary ? 'binary' : 'json',
      data,
    } as const;
    ctx.hub.publish(hubKey(topic, isPrivate), { kind: 'user', broadcast }, { kind: 'broadcast' });
    return c.body(null, 202);
  });

  app.notFound((c) => c.json({ message: 'Not Found' }, 404));
  app.onError((err, c) => {
    ctx.log('error', `realtime REST: ${err.stack ?? err.message}`);
    return c.json({ message: 'Unknown error' }, 500);
  });
  return app;
}
