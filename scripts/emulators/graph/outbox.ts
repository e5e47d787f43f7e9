import { signedWebhookInit } from '../../../shared/whatsapp/signature.ts';
import type { WebhookDelivery } from '../../../shared/whatsapp/webhook.ts';

/** One attempt to post a delivery to the webhook, as the emulator records it. */
export interface DeliveryRecord {
  /** What the delivery carries: `status:<wamid>:<status>` or `message:<wamid>`. */
  label: string;
  attempt: number;
  /** The webhook's HTTP status, or null when it could not be reached. */
  status: number | null;
}

export interface OutboxOptions {
  webhookUrl: string;
  appSecret: string;
  /** How a failed post is retried (Meta retries for days; a local emulator, a few times). */
  maxAttempts: number;
  retryDelayMs: number;
  fetch: typeof fetch;
  onDelivery?: (record: DeliveryRecord) => void;
}

interface Pending {
  seq: number;
  due: number;
  label: string;
  body: string;
  attempt: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Signed webhook posts that leave later, as Meta's do: each scheduled with a delay, retried
 * on failure, all cancellable. `flush()` sends everything due now in schedule order (what
 * tests use instead of waiting); `stop()` cancels every timer and waits for posts in flight.
 */
export class Outbox {
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;
  private stopped = false;

  private readonly opts: OutboxOptions;

  constructor(opts: OutboxOptions) {
    this.opts = opts;
  }

  /** Posts `delivery` after `delayMs` (wall time: only when it leaves, never a decision). */
  schedule(delivery: WebhookDelivery, label: string, delayMs: number): void {
    if (this.stopped) return;
    const item: Pending = {
      seq: ++this.seq,
      due: performance.now() + delayMs,
      label,
      body: JSON.stringify(delivery),
      attempt: 1,
    };
    this.arm(item, delayMs);
  }

  /** Posts a delivery now and answers the webhook's status (null when unreachable). */
  async postNow(delivery: WebhookDelivery, label: string): Promise<number | null> {
    const run = this.post({ seq: 0, due: 0, label, body: JSON.stringify(delivery), attempt: 1 });
    const tracked = run.then(
      () => {},
      () => {},
    );
    this.inFlight.add(tracked);
    return run.finally(() => this.inFlight.delete(tracked));
  }

  /** How many posts are waiting for their time. */
  get size(): number {
    return this.pending.size;
  }

  /** Sends every waiting post now, in order, including retries, then waits for them. */
  async flush(): Promise<void> {
    while (this.pending.size > 0 || this.inFlight.size > 0) {
      const next = [...this.pending.values()].sort((a, b) => a.due - b.due || a.seq - b.seq);
      for (const item of next) {
        clearTimeout(item.timer);
        this.pending.delete(item.seq);
        await this.send(item, null);
      }
      await Promise.all([...this.inFlight]);
    }
  }

  /** Waits until no post is in flight; waiting ones stay scheduled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Cancels every waiting post and waits for those in flight; nothing is sent after. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const item of this.pending.values()) clearTimeout(item.timer);
    this.pending.clear();
    await Promise.all([...this.inFlight]);
  }

  /** Queues a post; with a null delay it waits for the running flush, not for a timer. */
  private arm(item: Pending, delayMs: number | null) {
    this.pending.set(item.seq, item);
    if (delayMs === null) return;
    item.timer = setTimeout(() => {
      this.pending.delete(item.seq);
      void this.send(item, this.opts.retryDelayMs);
    }, delayMs);
    // A pending status must not keep a process alive that is otherwise done.
    item.timer.unref?.();
  }

  private async send(item: Pending, retryDelayMs: number | null): Promise<void> {
    const run = this.post(item).then((status) => {
      const ok = status !== null && status >= 200 && status < 300;
      if (ok || this.stopped || item.attempt >= this.opts.maxAttempts) return;
      const retry = { ...item, seq: ++this.seq, attempt: item.attempt + 1, timer: undefined };
      retry.due = performance.now() + (retryDelayMs ?? 0);
      this.arm(retry, retryDelayMs);
    });
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    await tracked;
  }

  private async post(item: Pending): Promise<number | null> {
    let status: number | null = null;
    try {
      const init = await signedWebhookInit(this.opts.appSecret, item.body);
      const res = await this.opts.fetch(this.opts.webhookUrl, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          'user-agent': 'facebookexternalua',
        },
      });
      status = res.status;
      // Drained, not cancelled: a cancel of a passed-through body never settles under msw's
      // interceptor, which wraps fetch wherever tests run the stack in-process.
      await res.arrayBuffer();
    } catch {
      status = null; // unreachable: retried like a failed answer
    }
    this.opts.onDelivery?.({ label: item.label, attempt: item.attempt, status });
    return status;
  }
}
