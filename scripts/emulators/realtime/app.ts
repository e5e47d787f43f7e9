import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type Clock, systemClock } from '../../../shared/clock.ts';
import { createDb, type Sql } from '../../../shared/db/client.ts';
import { ChangeDispatcher } from './changes/dispatch.ts';
import type { Connection } from './connection.ts';
import type { Log, RealtimeContext } from './context.ts';
import { transactionHandler } from './db-broadcast.ts';
import { Hub, PresenceTracker } from './hub.ts';
import { WindowCounter } from './limits.ts';
import { startReplication } from './replication.ts';
import { restApp } from './rest.ts';
import { loadRealtimeSettings, type RealtimeSettings } from './settings.ts';
import type { VerifyJwt } from './tokens.ts';
import { upgrade } from './upgrade.ts';

export interface RealtimeEmulatorOptions {
  /** The database: Realtime reads it by logical replication, so a URL is needed. */
  dbUrl: string;
  /** A pool to share; without one the emulator opens (and closes) its own. */
  db?: Sql;
  /** Verifies a user's or an API key's JWT signature, as the rest of the stack does. */
  verifyJwt: VerifyJwt;
  /** The anon and service-role keys the gateway accepts in `apikey`. */
  apiKeys: string[];
  clock?: Clock;
  settings?: Partial<RealtimeSettings>;
  log?: Log;
}

export interface RealtimeEmulator {
  /** The REST API (`/realtime/v1/api/broadcast…`) as a fetch handler. */
  fetch(request: Request): Promise<Response>;
  /** Serves a Node HTTP `upgrade` to `/realtime/v1/websocket`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Applies the clock now: expired tokens end their channels, idle sockets are dropped. */
  tick(): Promise<void>;
  stats(): { connections: number; channels: number; changeSubscriptions: number; dropped: number };
  readonly settings: RealtimeSettings;
  /** False when the database has no logical replication (wal_level is not logical). */
  readonly replicationAvailable: boolean;
  /** Closes every socket and stops reading the database; later calls wait for the first. */
  stop(): Promise<void>;
}

/**
 * An emulator of Supabase Realtime over this PostgreSQL, with the real server's contract:
 * Phoenix channels over WebSocket (serializers 1.0.0 and 2.0.0), Broadcast (client, REST
 * and from the database), Presence, Postgres Changes with RLS per subscriber, private
 * channels authorized by RLS on realtime.messages, and its limits. Local runs and tests only.
 *
 * @example
 * const realtime = await createRealtimeEmulator({ dbUrl, verifyJwt, apiKeys: [anon, service] });
 * server.on('upgrade', realtime.handleUpgrade);
 */
export async function createRealtimeEmulator(
  opts: RealtimeEmulatorOptions,
): Promise<RealtimeEmulator> {
  const settings = loadRealtimeSettings({}, opts.settings);
  const clock = opts.clock ?? systemClock;
  const log: Log = opts.log ?? ((level, m) => level !== 'debug' && console.error(`realtime: ${m}`));
  const db = opts.db ?? createDb(opts.dbUrl, { max: 5, name: 'realtime-emulator' });
  const hub = new Hub();
  const changes = new ChangeDispatcher(db, settings.maxRecordBytes, log);
  let replicationAvailable = false;
  const ctx: RealtimeContext = {
    db,
    verifyJwt: opts.verifyJwt,
    clock,
    settings,
    hub,
    presence: new PresenceTracker(hub),
    changes,
    joins: new WindowCounter(clock, 1000, settings.maxJoinsPerSecond),
    restEvents: new WindowCounter(clock, 1000, settings.maxEventsPerSecond),
    users: new Set(),
    replicationAvailable: () => replicationAvailable,
    log,
  };
  const replication = await startReplication({
    dbUrl: opts.dbUrl,
    publications: ['supabase_realtime', 'supabase_realtime_messages_publication'],
    onTransaction: transactionHandler({
      hub,
      changes,
      maxPayloadKb: settings.maxPayloadSizeKb,
      log,
    }),
    log,
  });
  replicationAvailable = replication.available;

  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxFrameBytes });
  const connections = new Set<Connection>();
  const rest = restApp(ctx, opts.apiKeys);

  const tick = async () => {
    const now = clock.now();
    for (const conn of [...connections]) {
      if (conn.expireIdle(now)) continue;
      for (const channel of conn.list()) await channel.checkExpiry();
    }
  };
  let stopped: Promise<void> | undefined;
  const timer = setInterval(() => void tick().catch(() => {}), settings.tickMs);
  timer.unref();

  return {
    settings,
    replicationAvailable,
    fetch: async (request) => rest.fetch(request),
    handleUpgrade: (req, socket, head) => {
      upgrade(ctx, wss, opts.apiKeys, connections, req, socket, head).catch((err: unknown) => {
        log('error', `realtime upgrade: ${(err as Error).stack}`);
        socket.destroy();
      });
    },
    tick,
    stats: () => ({
      connections: connections.size,
      channels: [...connections].reduce((n, c) => n + c.channelCount(), 0),
      changeSubscriptions: changes.size,
      dropped: [...connections].reduce((n, c) => n + c.dropped, 0),
    }),
    async stop() {
      if (stopped) return stopped;
      stopped = (async () => {
        clearInterval(timer);
        for (const conn of [...connections]) conn.close();
        wss.close();
        await replication.stop();
        if (!opts.db) await db.end({ timeout: 1 });
      })();
      return stopped;
    },
  };
}
