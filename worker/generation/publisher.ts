import type { EventData, EventType, Step } from '../../shared/generations/events.ts';
import { realSchedule, type Schedule } from '../toolchain/output-chunker.ts';
import type { NewEvent } from './store.ts';

/** Where the publisher's events go: the store's append, conditioned on the lease. */
export type AppendEvents = (events: NewEvent[]) => Promise<boolean>;

export interface PublisherLimits {
  /** At most one Output event per this many ms (and one Text event per `textFlushMs`). */
  flushMs: number;
  textFlushMs: number;
  /**
   * Output event text kept between flushes; when more arrives, the newest chunks are kept (an
   * event may hold one chunk more than this, since chunks are kept whole).
   */
  maxOutputEventBytes: number;
  /** Output events, and bytes streamed as output, before output is cut with a marker. */
  outputEventBudget: number;
  outputByteBudget: number;
  textEventBudget: number;
  /** Events per second on the channel, all types (Realtime counts every message). */
  maxEventsPerSecond: number;
}

/**
 * How long the PTY runner holds output before handing it over (its chunks): with `flushMs`,
 * what bounds the delay from a line printed to the event that carries it.
 */
export const OUTPUT_CHUNK_DELAY_MS = 25;

/**
 * What the PTY runner's `onOutput` returns after handing a chunk to `output()`: a promise
 * settled on the event loop's next turn. The runner pauses the terminal while chunks are in
 * flight, so a toolchain printing faster than the loop turns is read at the loop's pace,
 * and memory stays flat instead of filling with chunks between collections.
 */
export const nextTurn = (): Promise<void> => new Promise((done) => setImmediate(done));

/** 20 Output events a second at most: a fifth of Realtime's per-channel rate. */
export const DEFAULT_LIMITS: PublisherLimits = {
  flushMs: 50,
  textFlushMs: 150,
  // With a chunk more (16 KiB) and escaping (control characters take 6 bytes in JSON), an
  // Output event stays under Realtime's 256 KB payload limit.
  maxOutputEventBytes: 24 * 1024,
  outputEventBudget: 1200,
  outputByteBudget: 8 * 1024 * 1024,
  textEventBudget: 300,
  maxEventsPerSecond: 50,
};

/**
 * Output waiting for its event: the newest pieces (whole chunks, as the runner gave them,
 * so nothing is copied), and the bytes of the older ones dropped to stay within the limit.
 */
interface PendingOutput {
  step: Step;
  pieces: string[];
  keptBytes: number;
  droppedBytes: number;
}

/**
 * Turns a generation's activity into events, in order, within Realtime's limits and the
 * event cap. Output never waits on the database: it goes into a fixed buffer (the newest
 * `maxOutputEventBytes`), flushed at most every `flushMs`, so a toolchain printing 200 MB
 * neither slows down nor grows memory; bytes it outran are counted in the next event's
 * `skipped_bytes`, and past the budget a marker says the output was cut. LLM text is
 * coalesced the same way. Every other event first flushes what is pending, then is appended
 * after everything before it.
 */
export class EventPublisher {
  /** Bytes of output the toolchain printed, streamed or not. */
  outputBytes = 0;
  /** True once an append found the generation no longer held by this worker. */
  lost = false;
  private readonly limits: PublisherLimits;
  private readonly schedule: Schedule;
  private chain: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private pending: PendingOutput | undefined;
  private outputEvents = 0;
  private streamedBytes = 0;
  private outputCut = false;
  private text = '';
  private textEvents = 0;
  private flushTimer: (() => void) | undefined;
  private textTimer: (() => void) | undefined;
  private recentFlush = false;
  private windowCount = 0;
  private windowTimer: (() => void) | undefined;
  private windowWaiters: Array<() => void> = [];

  private readonly append: AppendEvents;

  constructor(
    append: AppendEvents,
    opts: { limits?: Partial<PublisherLimits>; schedule?: Schedule } = {},
  ) {
    this.append = append;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.schedule = opts.schedule ?? realSchedule;
  }

  /**
   * Toolchain output of `step` (`bytes` is its UTF-8 size, when the caller knows it). Returns
   * at once; see the class comment.
   */
  output(step: Step, text: string, bytes = Buffer.byteLength(text)): void {
    this.outputBytes += bytes;
    if (this.outputCut) return;
    if (this.pending && this.pending.step !== step) this.flushOutput();
    this.pending ??= { step, pieces: [], keptBytes: 0, droppedBytes: 0 };
    const p = this.pending;
    p.pieces.push(text);
    p.keptBytes += bytes;
    // The newest pieces stay; the oldest go while the rest would still fill an event.
    while (p.pieces.length > 1 && p.keptBytes > this.limits.maxOutputEventBytes) {
      const dropped = Buffer.byteLength(p.pieces.shift() as string);
      p.keptBytes -= dropped;
      p.droppedBytes += dropped;
    }
    if (this.flushTimer) return;
    // The first output after a quiet spell goes out at once; then at most one per flushMs.
    this.flushTimer = this.schedule(
      () => {
        this.flushTimer = undefined;
        this.flushOutput();
      },
      this.recentFlush ? this.limits.flushMs : 0,
    );
  }

  /** A piece of the model's reply as it streams. */
  modelText(delta: string): void {
    if (this.textEvents >= this.limits.textEventBudget) return;
    this.text += delta;
    this.textTimer ??= this.schedule(() => {
      this.textTimer = undefined;
      this.flushText();
    }, this.limits.textFlushMs);
  }

  /** Appends one event after everything before it, pending output and text first. */
  emit<T extends EventType>(type: T, data: EventData[T]): Promise<void> {
    return this.emitAll([{ type, data } as NewEvent]);
  }

  /** Appends several events after everything before it, in one transaction. */
  emitAll(events: NewEvent[]): Promise<void> {
    this.flushOutput();
    this.flushText();
    return this.enqueue(events);
  }

  /** Waits until everything emitted so far is stored (and broadcast); throws the first failure. */
  async settle(): Promise<void> {
    this.flushOutput();
    this.flushText();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  /** Stops the timers; what was pending is dropped (the run ended or was lost). */
  close(): void {
    this.flushTimer?.();
    this.textTimer?.();
    this.windowTimer?.();
    this.flushTimer = this.textTimer = this.windowTimer = undefined;
    for (const wake of this.windowWaiters.splice(0)) wake();
  }

  private flushOutput(): void {
    this.flushTimer?.();
    this.flushTimer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || this.outputCut) return;
    const text = pending.pieces.join('');
    const kept = pending.keptBytes;
    const skipped = pending.droppedBytes;
    this.recentFlush = true;
    this.schedule(() => {
      if (!this.flushTimer) this.recentFlush = false;
    }, this.limits.flushMs);
    const overBudget =
      this.outputEvents >= this.limits.outputEventBudget ||
      this.streamedBytes + kept > this.limits.outputByteBudget;
    if (overBudget) {
      this.outputCut = true;
      void this.enqueue([
        {
          type: 'Output',
          data: { step: pending.step, text: '', cut: true, skipped_bytes: kept + skipped },
        },
      ]);
      return;
    }
    this.outputEvents++;
    this.streamedBytes += kept;
    const data: EventData['Output'] = { step: pending.step, text };
    if (skipped > 0) data.skipped_bytes = skipped;
    void this.enqueue([{ type: 'Output', data }]);
  }

  private flushText(): void {
    this.textTimer?.();
    this.textTimer = undefined;
    if (!this.text) return;
    const text = this.text;
    this.text = '';
    this.textEvents++;
    void this.enqueue([{ type: 'Text', data: { text } }]);
  }

  private enqueue(events: NewEvent[]): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.lost || this.failure) return;
      await this.throttle(events.length);
      try {
        if (!(await this.append(events))) this.lost = true;
      } catch (err) {
        this.failure ??= err;
      }
    });
    this.chain = next;
    return next;
  }

  /** At most `maxEventsPerSecond` per one-second window, counted from the window's first. */
  private async throttle(n: number): Promise<void> {
    while (this.windowCount > 0 && this.windowCount + n > this.limits.maxEventsPerSecond) {
      await new Promise<void>((wake) => this.windowWaiters.push(wake));
      if (!this.windowTimer && this.windowCount > 0) break;
    }
    this.windowCount += n;
    this.windowTimer ??= this.schedule(() => {
      this.windowTimer = undefined;
      this.windowCount = 0;
      for (const wake of this.windowWaiters.splice(0)) wake();
    }, 1000);
  }
}
