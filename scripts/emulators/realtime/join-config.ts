import { randomUUID } from 'node:crypto';

/** What a `phx_join` payload asks for, read leniently as Realtime does. */
export interface JoinConfig {
  private: boolean;
  ack: boolean;
  self: boolean;
  presenceEnabled: boolean;
  presenceKey: string;
  /** The `postgres_changes` entries as the client sent them (the join reply echoes them). */
  postgresChanges: Array<Record<string, unknown>>;
  /** Set when the client sent its own token (`access_token`, or the older `user_token`). */
  accessToken?: string;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Booleans may come as strings ("true", "FALSE"); anything else is the default. */
function flag(v: unknown, fallback = false): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) {
    return v.toLowerCase() === 'true';
  }
  return fallback;
}

/** Reads a join payload; unknown or malformed fields fall back to their defaults. */
export function readJoinConfig(payload: unknown): JoinConfig {
  const p = obj(payload);
  const config = obj(p.config);
  const broadcast = obj(config.broadcast);
  const presence = obj(config.presence);
  const key = presence.key;
  const changes = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
  const token = typeof p.access_token === 'string' ? p.access_token : p.user_token;
  return {
    private: flag(config.private),
    ack: flag(broadcast.ack),
    self: flag(broadcast.self),
    presenceEnabled: flag(presence.enabled),
    // Without a key, each channel gets its own, as Realtime generates one per join.
    presenceKey: key === undefined || key === null || key === '' ? randomUUID() : String(key),
    postgresChanges: changes.filter((c) => c && typeof c === 'object') as Array<
      Record<string, unknown>
    >,
    accessToken: typeof token === 'string' ? token : undefined,
  };
}

/**
 * A stable small integer for a `postgres_changes` entry, like Erlang's `phash2`: the join
 * reply gives it as `id`, and each change names the ids it matches.
 */
export function bindingId(params: Record<string, unknown>): number {
  const text = JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 2 ** 27;
}
