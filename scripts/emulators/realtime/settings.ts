/**
 * The limits and timings the Realtime emulator enforces. Defaults are the hosted service's
 * Free plan limits (Supabase's "Realtime limits" page) and the Phoenix socket's timeouts.
 */
export interface RealtimeSettings {
  /** Sockets with at least one joined channel, project-wide. */
  maxConcurrentUsers: number;
  /** Client messages per second on one channel. */
  maxEventsPerSecond: number;
  /** Frames per second one socket may send, over all its channels. */
  maxConnectionEventsPerSecond: number;
  /** Channel joins per second, project-wide. */
  maxJoinsPerSecond: number;
  maxChannelsPerClient: number;
  /** Broadcast and presence payloads, in kilobytes (1000 bytes). */
  maxPayloadSizeKb: number;
  /** Presence track/untrack calls one channel may make per window. */
  maxClientPresenceEventsPerWindow: number;
  clientPresenceWindowMs: number;
  /** A socket that sends nothing (not even a heartbeat) for this long is dropped. */
  heartbeatTimeoutMs: number;
  /** How often expiries and idle sockets are checked, in real milliseconds. */
  tickMs: number;
  /** Largest WebSocket frame; a bigger one closes the socket (1009), as Realtime's 5 MB cap. */
  maxFrameBytes: number;
  /** Bytes queued to a slow client before its socket is dropped, so memory stays bounded. */
  maxBufferedBytes: number;
  /** Postgres change records larger than this lose their long values (Error 413). */
  maxRecordBytes: number;
}

export const DEFAULT_REALTIME_SETTINGS: RealtimeSettings = {
  maxConcurrentUsers: 200,
  maxEventsPerSecond: 100,
  maxConnectionEventsPerSecond: 100,
  maxJoinsPerSecond: 100,
  maxChannelsPerClient: 100,
  maxPayloadSizeKb: 256,
  maxClientPresenceEventsPerWindow: 5,
  clientPresenceWindowMs: 30_000,
  heartbeatTimeoutMs: 60_000,
  tickMs: 1000,
  maxFrameBytes: 5_000_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxRecordBytes: 1024 * 1024,
};

const ENV: Record<string, keyof RealtimeSettings> = {
  REALTIME_MAX_CONCURRENT_USERS: 'maxConcurrentUsers',
  REALTIME_MAX_EVENTS_PER_SECOND: 'maxEventsPerSecond',
  REALTIME_MAX_CONNECTION_EVENTS_PER_SECOND: 'maxConnectionEventsPerSecond',
  REALTIME_MAX_JOINS_PER_SECOND: 'maxJoinsPerSecond',
  REALTIME_MAX_CHANNELS_PER_CLIENT: 'maxChannelsPerClient',
  REALTIME_MAX_PAYLOAD_SIZE_KB: 'maxPayloadSizeKb',
  REALTIME_MAX_CLIENT_PRESENCE_EVENTS_PER_WINDOW: 'maxClientPresenceEventsPerWindow',
  REALTIME_HEARTBEAT_TIMEOUT_MS: 'heartbeatTimeoutMs',
  REALTIME_MAX_BUFFERED_BYTES: 'maxBufferedBytes',
};

/**
 * The defaults, overridden by `REALTIME_*` variables (positive integers; anything else is a
 * start-up error naming the variable).
 *
 * @example
 * loadRealtimeSettings({ REALTIME_MAX_EVENTS_PER_SECOND: '20' }).maxEventsPerSecond; // 20
 */
export function loadRealtimeSettings(
  env: Record<string, string | undefined> = {},
  overrides: Partial<RealtimeSettings> = {},
): RealtimeSettings {
  const settings = { ...DEFAULT_REALTIME_SETTINGS };
  const bad: string[] = [];
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) settings[key] = value;
    else bad.push(name);
  }
  if (bad.length)
    throw new Error(`Invalid Realtime settings (positive integers): ${bad.join(', ')}`);
  return { ...settings, ...overrides };
}
