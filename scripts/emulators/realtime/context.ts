import type { Clock } from '../../../shared/clock.ts';
import type { Sql } from '../../../shared/db/client.ts';
import type { ChangeDispatcher } from './changes/dispatch.ts';
import type { Hub, PresenceTracker } from './hub.ts';
import type { WindowCounter } from './limits.ts';
import type { Vsn } from './serializer.ts';
import type { RealtimeSettings } from './settings.ts';
import type { VerifyJwt } from './tokens.ts';

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** What every socket and channel of one emulator shares. */
export interface RealtimeContext {
  db: Sql;
  verifyJwt: VerifyJwt;
  clock: Clock;
  settings: RealtimeSettings;
  hub: Hub;
  presence: PresenceTracker;
  changes: ChangeDispatcher;
  /** Project-wide channel joins per second. */
  joins: WindowCounter;
  /** Project-wide REST broadcasts per second. */
  restEvents: WindowCounter;
  /** Sockets with at least one joined channel: Realtime's "concurrent users". */
  users: Set<unknown>;
  replicationAvailable: () => boolean;
  log: Log;
}

/** The socket a channel lives on, as the channel sees it. */
export interface ChannelHost {
  readonly vsn: Vsn;
  /** The apikey the socket connected with: the token of channels that send none. */
  readonly tenantToken: string;
  /** The socket's `x-*` request headers, as policies see them in `request.headers`. */
  readonly headers: Record<string, string>;
  send(frame: string | Buffer): void;
  channelCount(): number;
  release(topic: string, joinRef: string | null): void;
  /** Closes the whole socket, as Realtime does past the joins-per-second limit. */
  disconnect(): void;
}
