import { describe, expect, it } from 'vitest';
import { WorkerMetrics } from '../../worker/runtime/metrics.ts';

const gauge = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe("the worker's memory metrics", () => {
  it('report resident memory and heap as they are when scraped', () => {
    const metrics = new WorkerMetrics();
    const text = metrics.render();
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    const rss = gauge(text, 'process_resident_memory_bytes');
    const heap = gauge(text, 'nodejs_heap_size_used_bytes');
    // Within what the process holds: the heap is part of the resident set.
    expect(heap).toBeGreaterThan(0);
    expect(rss).toBeGreaterThan(heap);
    // Read again at the next scrape, not frozen at the first.
    const held = new Array(2_000_000).fill(1);
    const later = gauge(metrics.render(), 'nodejs_heap_size_used_bytes');
    expect(later).toBeGreaterThan(heap + 8_000_000);
    expect(held.length).toBe(2_000_000);
  });
});
