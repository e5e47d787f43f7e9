import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { RealtimeClient, type RealtimeClientOptions } from '@supabase/realtime-js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import { KeyRing } from '../../scripts/emulators/auth/keys.ts';
import {
  createRealtimeEmulator,
  type RealtimeEmulator,
} from '../../scripts/emulators/realtime/app.ts';
import type { RealtimeSettings } from '../../scripts/emulators/realtime/settings.ts';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { epochSeconds } from '../../shared/clock.ts';
import { ManualClock } from './clock.ts';
import { type TestDatabase, useTestDatabase } from './db.ts';

export type Vsn = '1.0.0' | '2.0.0';

export interface RealtimeHarness {
  readonly db: TestDatabase;
  readonly emulator: RealtimeEmulator;
  /** `ws://127.0.0.1:<port>/realtime/v1` */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>/realtime/v1` */
  readonly httpUrl: string;
  readonly clock: ManualClock;
  /** A user access token signed as the Auth emulator signs them (ES256), expiring by the clock. */
  token(claims?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
  /** A realtime-js client with the anon key (closed after each test). */
  client(vsn: Vsn, token?: string): RealtimeClient;
  /** A bare WebSocket on the Phoenix endpoint (closed after each test). */
  raw(vsn: Vsn, apikey?: string): Promise<RawSocket>;
}

/** A WebSocket that records what it receives, decoded, and can wait for a frame. */
export interface RawSocket {
  ws: WebSocket;
  frames: Array<{ data: unknown; binary: boolean }>;
  send(frame: unknown): void;
  next(pred: (f: { data: unknown; binary: boolean }) => boolean, ms?: number): Promise<unknown>;
  closed: Promise<number>;
}

export const ANON = DEMO_ANON_KEY;
export const SERVICE = DEMO_SERVICE_ROLE_KEY;

/** Waits until `pred` holds, polling; fails after `ms` (a bound on waiting, not an assertion). */
export async function until(pred: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The Realtime emulator in-process on a free port, over this file's own database, with a
 * manual clock and an ES256 key ring like the Auth emulator's.
 */
export function useRealtimeEmulator(settings: Partial<RealtimeSettings> = {}): RealtimeHarness {
  const db = useTestDatabase();
  const clock = new ManualClock();
  let emulator: RealtimeEmulator | undefined;
  let keys: KeyRing | undefined;
  let server: ReturnType<typeof serve> | undefined;
  let base = '';
  const clients: RealtimeClient[] = [];
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    keys = await KeyRing.load({ jwtSecret: DEMO_JWT_SECRET });
    const ring = keys;
    emulator = await createRealtimeEmulator({
      dbUrl: db.url,
      verifyJwt: (t) => ring.verify(t),
      apiKeys: [ANON, SERVICE],
      clock,
      settings,
      log: () => {},
    });
    const realtime = emulator;
    server = serve({ fetch: realtime.fetch, port: 0, hostname: '127.0.0.1' });
    server.on('upgrade', realtime.handleUpgrade);
    await new Promise<void>((ready) => server?.once('listening', ready));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}/realtime/v1`;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      c.removeAllChannels().catch(() => {});
      await c.disconnect();
    }
    for (const s of sockets.splice(0)) s.terminate();
  });
  afterAll(async () => {
    await emulator?.stop();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  return {
    db,
    clock,
    get emulator() {
      if (!emulator) throw new Error('the emulator exists only inside tests and hooks');
      return emulator;
    },
    get wsUrl() {
      return `ws://${base}`;
    },
    get httpUrl() {
      return `http://${base}`;
    },
    async token(claims = {}, lifetime = 3600) {
      const iat = epochSeconds(clock);
      return (keys as KeyRing).sign({
        aud: 'authenticated',
        role: 'authenticated',
        iat,
        exp: iat + lifetime,
        ...claims,
      });
    },
    client(vsn, token) {
      const c = new RealtimeClient(`ws://${base}`, {
        params: { apikey: ANON },
        vsn,
        timeout: 5000,
        // `ws`, as in browser.ts: straight to the emulator, not through the msw interceptor
        // that wraps the global WebSocket (it is there for third-party HTTP).
        transport: WebSocket as RealtimeClientOptions['transport'],
      });
      if (token) void c.setAuth(token);
      clients.push(c);
      return c;
    },
    async raw(vsn, apikey = ANON) {
      const ws = new WebSocket(`ws://${base}/websocket?apikey=${apikey}&vsn=${vsn}`);
      sockets.push(ws);
      const frames: RawSocket['frames'] = [];
      const waiters: Array<() => void> = [];
      ws.on('message', (data: Buffer, binary: boolean) => {
        frames.push({ data: binary ? data : JSON.parse(data.toString()), binary });
        for (const w of waiters.splice(0)) w();
      });
      const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
      await new Promise<void>((open, fail) => {
        ws.once('open', open);
        ws.once('error', fail);
      });
      return {
        ws,
        frames,
        closed,
        send: (frame) => ws.send(Buffer.isBuffer(frame) ? frame : JSON.stringify(frame)),
        async next(pred, ms = 5000) {
          const end = Date.now() + ms;
          for (;;) {
            const found = frames.find(pred);
            if (found) return found.data;
            if (Date.now() > end) throw new Error('timed out waiting for a frame');
            await new Promise<void>((r) => {
              waiters.push(r);
              setTimeout(r, 50);
            });
          }
        },
      };
    },
  };
}
