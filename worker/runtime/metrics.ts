/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4) for `/metrics`. Gauges may be computed when scraped.
 */
type Labels = Record<string, string>;

const escapeLabel = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] as string)}"`)
    .join(',');
const withLabels = (name: string, labelText: string) =>
  labelText ? `${name}{${labelText}}` : name;

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${withLabels(this.name, k)} ${v}`);
    return lines;
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  set(labels: Labels, value: number): void {
    this.values.set(key(labels), value);
  }

  add(labels: Labels, by: number): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of this.values) lines.push(`${withLabels(this.name, k)} ${v}`);
    return lines;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;
  readonly buckets: number[];

  constructor(name: string, help: string, buckets: number[]) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }

  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    const counts = s.counts;
    this.buckets.forEach((b, i) => {
      if (value <= b) counts[i] = (counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${withLabels(`${this.name}_sum`, k)} ${s.sum}`);
      lines.push(`${withLabels(`${this.name}_count`, k)} ${s.count}`);
    }
    return lines;
  }
}

/** The worker's metrics, and `render()` for `/metrics`. */
export class WorkerMetrics {
  readonly jobsStarted = new Counter('worker_jobs_started_total', 'Jobs this worker started');
  readonly jobsFinished = new Counter(
    'worker_jobs_finished_total',
    'Jobs this worker finished, by outcome (completed, failed, interrupted)',
  );
  readonly jobFailures = new Counter('worker_job_failures_total', 'Jobs whose handler failed');
  readonly running = new Gauge('worker_jobs_running', 'Jobs running in this worker now');
  readonly queueDepth = new Gauge(
    'worker_queue_depth',
    'Jobs waiting in each queue (created or retry), read when scraped',
  );
  readonly duration = new Histogram(
    'worker_job_duration_seconds',
    'How long jobs ran',
    [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
  );
  readonly waited = new Histogram(
    'worker_job_wait_seconds',
    'From enqueue to start',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
  );
  readonly recovered = new Counter(
    'worker_generations_recovered_total',
    'Generations whose worker was lost, by what became of them (requeued, failed)',
  );

  /** The process's memory, read when scraped (the names Prometheus's Node client uses). */
  readonly residentMemory = new Gauge('process_resident_memory_bytes', 'Resident memory size');
  readonly heapUsed = new Gauge('nodejs_heap_size_used_bytes', 'V8 heap in use');

  private readonly all: Metric[] = [
    this.residentMemory,
    this.heapUsed,
    this.jobsStarted,
    this.jobsFinished,
    this.jobFailures,
    this.running,
    this.queueDepth,
    this.duration,
    this.waited,
    this.recovered,
  ];

  render(): string {
    const memory = process.memoryUsage();
    this.residentMemory.set({}, memory.rss);
    this.heapUsed.set({}, memory.heapUsed);
    return `${this.all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
