import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import postgres from 'postgres';
import { msToPgTime, PgOutputDecoder, type Transaction } from './pgoutput.ts';

export interface ReplicationOptions {
  dbUrl: string;
  publications: string[];
  /** Called for each committed transaction, one at a time, in commit order. */
  onTransaction: (tx: Transaction) => Promise<void>;
  log: (level: 'warn' | 'error', message: string) => void;
}

export interface Replication {
  /** False when logical replication is unavailable (e.g. wal_level is not logical). */
  readonly available: boolean;
  stop(): Promise<void>;
}

/** Transactions decoded but not yet handled before the stream is paused (backpressure). */
const MAX_PENDING = 64;

/**
 * Streams committed changes of `publications` from a temporary logical replication slot
 * (pgoutput), as Realtime reads `realtime.messages`. The slot lives as long as the
 * connection: nothing is left behind in the database when the emulator stops. When the
 * database goes away (a restart), it connects again every second until it is back, as
 * Realtime does; what was committed in between is not replayed.
 */
export async function startReplication(opts: ReplicationOptions): Promise<Replication> {
  let stopping = false;
  let current: Connected | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const reconnect = () => {
    if (stopping) return;
    retry = setTimeout(async () => {
      current = await connect(opts, onLost).catch(() => undefined);
      if (!current) reconnect();
      else opts.log('warn', 'replication stream back; database broadcasts resumed');
    }, 1000);
  };
  const onLost = () => {
    if (stopping) return;
    opts.log('warn', 'replication stream closed; database broadcasts pause until it is back');
    current = undefined;
    reconnect();
  };
  try {
    current = await connect(opts, onLost);
  } catch (err) {
    opts.log('warn', `logical replication unavailable: ${(err as Error).message}`);
    return { available: false, stop: async () => {} };
  }
  return {
    available: true,
    async stop() {
      stopping = true;
      clearTimeout(retry);
      await current?.stop();
    },
  };
}

interface Connected {
  stop(): Promise<void>;
}

/** One replication connection and its slot; `onLost` is called when it closes on its own. */
async function connect(opts: ReplicationOptions, onLost: () => void): Promise<Connected> {
  const sql = postgres(opts.dbUrl, {
    max: 1,
    fetch_types: false,
    prepare: false,
    onnotice: () => {},
    connection: { replication: 'database', application_name: 'realtime-emulator' },
  });
  const slot = `realtime_emulator_${randomBytes(6).toString('hex')}`;
  let stream: Duplex;
  try {
    const [created] = await sql.unsafe(
      `CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`,
    );
    const names = opts.publications.join(',');
    stream = (await sql
      .unsafe(
        `START_REPLICATION SLOT ${slot} LOGICAL ${created?.consistent_point} (proto_version '1', publication_names '${names}')`,
      )
      .writable()) as unknown as Duplex;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }

  const decoder = new PgOutputDecoder();
  let chain = Promise.resolve();
  let pending = 0;
  let received = 0n;
  let flushed = 0n;
  let stopping = false;

  const status = (reply = false) => {
    // With nothing in hand, everything received is handled: transactions without changes
    // for us included. The server waits for this at shutdown, so it must reach the end.
    if (pending === 0 && received > flushed) flushed = received;
    // Standby status update: what was received, and what was handled (safe to forget).
    const b = Buffer.alloc(34);
    b.write('r', 0);
    b.writeBigUInt64BE(received, 1);
    b.writeBigUInt64BE(flushed, 9);
    b.writeBigUInt64BE(flushed, 17);
    b.writeBigInt64BE(msToPgTime(Date.now()), 25);
    b[33] = reply ? 1 : 0;
    if (!stopping && stream.writable) stream.write(b);
  };

  stream.on('data', (chunk: Buffer) => {
    if (chunk[0] === 0x6b) {
      // Keepalive: answer when the server asks, or it drops the connection.
      const walEnd = chunk.readBigUInt64BE(1);
      if (walEnd > received) received = walEnd;
      if (chunk[17]) status();
      return;
    }
    if (chunk[0] !== 0x77) return;
    const walEnd = chunk.readBigUInt64BE(9);
    if (walEnd > received) received = walEnd;
    const tx = decoder.decode(chunk.subarray(25));
    if (!tx || tx.changes.length === 0) return;
    pending += 1;
    if (pending >= MAX_PENDING) stream.pause();
    chain = chain
      .then(() => opts.onTransaction(tx))
      .catch((err: unknown) => opts.log('error', `replication handler: ${(err as Error).message}`))
      .finally(() => {
        pending -= 1;
        if (tx.endLsn > flushed) flushed = tx.endLsn;
        if (pending < MAX_PENDING / 2 && stream.isPaused()) stream.resume();
        status();
      });
  });
  stream.on('error', (err: Error) => {
    if (!stopping) opts.log('warn', `replication stream: ${err.message}`);
  });
  stream.once('close', () => {
    if (stopping) return;
    stopping = true;
    void sql.end({ timeout: 1 }).catch(() => {});
    onLost();
  });

  return {
    async stop() {
      stopping = true;
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 1000);
        stream.once('close', () => {
          clearTimeout(timer);
          done();
        });
        stream.end();
      });
      await chain;
      await sql.end({ timeout: 1 }).catch(() => {});
    },
  };
}
