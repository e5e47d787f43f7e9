/** A piece of a process's output, as the runner reports it. */
export interface OutputChunk {
  /** 0, 1, 2… in order. */
  seq: number;
  text: string;
  /** Size of `text` in UTF-8. */
  bytes: number;
}

/** Runs `fn` after `ms`; returns a function that cancels it. Tests pass a manual one. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export interface ChunkerOptions {
  /** Largest chunk in bytes. Default 16 KiB. */
  maxBytes?: number;
  /** Longest a byte waits before its chunk goes out. Default 100 ms. */
  maxDelayMs?: number;
  /** Receives each chunk; a returned promise counts as in flight until it settles. */
  emit: (chunk: OutputChunk) => void | Promise<void>;
  /** Called with true when too much is in flight (the producer should pause), false when it drained. */
  onPressure?: (paused: boolean) => void;
  /** Bytes in flight above which `onPressure(true)` is called. Default 4 chunks. */
  highWaterBytes?: number;
  schedule?: Schedule;
}

/** Bytes at the end of `buf` that start a UTF-8 character not yet complete. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Groups a byte stream into chunks of at most `maxBytes`, each sent at most `maxDelayMs`
 * after its first byte arrived, never splitting a UTF-8 character. Holds at most one
 * chunk's worth of bytes itself; with an asynchronous `emit`, reports pressure so the
 * producer can pause instead of letting chunks pile up.
 */
export class OutputChunker {
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;
  private readonly highWater: number;
  private readonly schedule: Schedule;
  private readonly opts: ChunkerOptions;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private cancelTimer: (() => void) | undefined;
  private seq = 0;
  private inFlight = 0;
  private paused = false;
  private settled: Promise<void> = Promise.resolve();
  private firstError: unknown;

  constructor(opts: ChunkerOptions) {
    this.opts = opts;
    this.maxBytes = opts.maxBytes ?? 16 * 1024;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
    this.highWater = opts.highWaterBytes ?? 4 * this.maxBytes;
    this.schedule = opts.schedule ?? realSchedule;
    if (this.maxBytes < 4) throw new Error('maxBytes must hold a UTF-8 character (4 bytes)');
  }

  push(bytes: Buffer): void {
    if (!bytes.length) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    while (this.pendingBytes >= this.maxBytes) this.send(this.maxBytes);
    if (this.pendingBytes && !this.cancelTimer) {
      this.cancelTimer = this.schedule(() => {
        this.cancelTimer = undefined;
        this.flush(false);
      }, this.maxDelayMs);
    }
  }

  /**
   * Sends what is pending now. With `final`, also a character left incomplete (the stream
   * ended inside it); otherwise that waits for its remaining bytes.
   */
  flush(final = true): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    while (this.pendingBytes) {
      const before = this.pendingBytes;
      this.send(this.maxBytes, final);
      if (this.pendingBytes === before) break;
    }
  }

  /** Resolves when every emitted chunk has been handled; rejects with the first failure. */
  async drained(): Promise<void> {
    await this.settled;
    if (this.firstError) throw this.firstError;
  }

  private send(limit: number, final = false) {
    const all =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    let size = Math.min(limit, all.length);
    if (size < all.length || !final) size -= incompleteTail(all.subarray(0, size));
    if (size <= 0) {
      this.pending = [all];
      return;
    }
    const rest = all.subarray(size);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    const body = all.subarray(0, size);
    this.deliver({ seq: this.seq++, text: body.toString('utf8'), bytes: size });
  }

  private deliver(chunk: OutputChunk) {
    let result: void | Promise<void>;
    try {
      result = this.opts.emit(chunk);
    } catch (e) {
      this.firstError ??= e;
      return;
    }
    if (!(result instanceof Promise)) return;
    this.inFlight += chunk.bytes;
    this.pressure();
    const done = result.then(
      () => {},
      (e: unknown) => {
        this.firstError ??= e;
      },
    );
    this.settled = Promise.all([this.settled, done]).then(() => {});
    void done.then(() => {
      this.inFlight -= chunk.bytes;
      this.pressure();
    });
  }

  private pressure() {
    const paused = this.inFlight > this.highWater;
    if (paused !== this.paused) {
      this.paused = paused;
      this.opts.onPressure?.(paused);
    }
  }
}
