import type { EventData, EventType, Step } from '../../shared/generations/events.ts';
import { realSchedule, type Schedule } from '../toolchain/output-chunker.ts';
import { TailBuffer } from '../toolchain/tail-buffer.ts';
import type { NewEvent } from './store.ts';

/** Where the publisher's events go: the store's append, conditioned on the lease. */
export type AppendEvents = (events: NewEvent[]) => Promise<boolean>;

export interface PublisherLimits {
  /** At most one Output event per this many ms (and one Text event per `textFlushMs`). */
  flushMs: number;
  textFlushMs: number;
  /** Largest Output event text; when more arrives in between, the newest is kept. */
  maxOutputEventBytes: number;
  /** Output events, and bytes streamed as output, before output is cut with a marker. */
  outputEventBudget: number;
  outputByteBudget: number;
  textEventBudget: number;
  /** Events per second on the channel, all types (Realtime counts every message). */
  maxEventsPerSecond: number;
}

export const DEFAULT_LIMITS: PublisherLimits = {
  flushMs: 100,
  textFlushMs: 150,
  maxOutputEventBytes: 32 * 1024,
  outputEventBudget: 1200,
  outputByteBudget: 8 * 1024 * 1024,
  textEventBudget: 300,
  maxEventsPerSecond: 50,
};

interface PendingOutput {
  step: Step;
  tail: TailBuffer;
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

  /** Toolchain output of `step`. Returns at once; see the class comment. */
  output(step: Step, text: string): void {
    const bytes = Buffer.from(text);
    this.outputBytes += bytes.length;
    if (this.outputCut) return;
    if (this.pending && this.pending.step !== step) this.flushOutput();
    this.pending ??= { step, tail: new TailBuffer(this.limits.maxOutputEventBytes) };
    this.pending.tail.push(bytes);
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
    const text = pending.tail.toString();
    const kept = Buffer.byteLength(text);
    const skipped = pending.tail.total - kept;
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
          data: { step: pending.step, text: '', cut: true, skipped_bytes: pending.tail.total },
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
