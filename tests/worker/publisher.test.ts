import { describe, expect, it } from 'vitest';
import { EventPublisher } from '../../worker/generation/publisher.ts';
import type { NewEvent } from '../../worker/generation/store.ts';
import type { Schedule } from '../../worker/toolchain/output-chunker.ts';

/** Timers a test fires by hand: time passes only when `advance` says so. */
function manualTimers() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const schedule: Schedule = (fn, ms) => {
    const timer = { at: now + ms, fn, live: true };
    timers.push(timer);
    return () => {
      timer.live = false;
    };
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.live && t.at <= now)) {
      t.live = false;
      t.fn();
    }
    // Let the publisher's chain of appends run.
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { schedule, advance };
}

/** A publisher whose appends are recorded; `held` false plays a lost lease. */
function publisher(limits = {}, held = true) {
  const { schedule, advance } = manualTimers();
  const batches: NewEvent[][] = [];
  const p = new EventPublisher(
    async (events) => {
      batches.push(events);
      return held;
    },
    { schedule, limits },
  );
  const events = () => batches.flat();
  return { p, advance, batches, events };
}

const texts = (events: NewEvent[]) =>
  events.flatMap((e) => (e.type === 'Output' ? [(e.data as { text: string }).text] : []));

describe('EventPublisher', () => {
  it('sends the first output at once, then at most one Output event per flush interval', async () => {
    const { p, advance, events } = publisher({ flushMs: 100 });
    p.output('pub_get', 'Resolving dependencies...\n');
    await advance(0);
    expect(texts(events())).toEqual(['Resolving dependencies...\n']);
    for (let i = 0; i < 50; i++) p.output('pub_get', `line ${i}\n`);
    await advance(99);
    expect(texts(events())).toHaveLength(1);
    await advance(1);
    expect(texts(events())).toHaveLength(2);
    expect(texts(events())[1]).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
    expect(p.outputBytes).toBe(26 + texts(events())[1]!.length);
  });

  it('keeps the newest output when the toolchain outruns the stream, and counts what it skipped', async () => {
    const { p, advance, events } = publisher({ maxOutputEventBytes: 16 });
    p.output('build', 'aaaaaaaaaa');
    p.output('build', 'bbbbbbbb');
    p.output('build', 'ccccc€');
    await advance(0);
    expect(events()).toEqual([
      { type: 'Output', data: { step: 'build', text: 'bbbbbbbbccccc€', skipped_bytes: 10 } },
    ]);
    expect(p.outputBytes).toBe(10 + 8 + 8);
  });

  it('cuts output past its budget with one marker, and still counts every byte', async () => {
    const { p, advance, events } = publisher({ outputEventBudget: 2, flushMs: 10 });
    for (let i = 0; i < 5; i++) {
      p.output('build', `chunk ${i}\n`);
      await advance(10);
    }
    expect(events().map((e) => e.data)).toEqual([
      { step: 'build', text: 'chunk 0\n' },
      { step: 'build', text: 'chunk 1\n' },
      { step: 'build', text: '', cut: true, skipped_bytes: 8 },
    ]);
    expect(p.outputBytes).toBe(40);
  });

  it('flushes pending output and text before any other event, so order is kept', async () => {
    const { p, advance, events } = publisher({ flushMs: 100, textFlushMs: 100 });
    p.output('analyze', 'first\n');
    await advance(0);
    p.output('analyze', 'second\n');
    p.modelText('{"summary"');
    p.modelText(': "x"}');
    await p.emit('Status', { status: 'running', step: 'build' });
    await advance(0);
    expect(events().map((e) => e.type)).toEqual(['Output', 'Output', 'Text', 'Status']);
    expect(events()[2]!.data).toEqual({ text: '{"summary": "x"}' });
    await p.settle();
  });

  it('starts a new Output event when the step changes', async () => {
    const { p, advance, events } = publisher({ flushMs: 100 });
    p.output('pub_get', 'a');
    await advance(0);
    p.output('pub_get', 'b');
    p.output('analyze', 'c');
    await advance(100);
    expect(events().map((e) => e.data)).toEqual([
      { step: 'pub_get', text: 'a' },
      { step: 'pub_get', text: 'b' },
      { step: 'analyze', text: 'c' },
    ]);
  });

  it('holds events past the per-second rate until the next second', async () => {
    const { p, advance, batches } = publisher({ maxEventsPerSecond: 5 });
    const sent = Promise.all(
      Array.from({ length: 8 }, (_, i) => p.emit('Status', { status: 'running', message: `${i}` })),
    );
    await advance(0);
    expect(batches.flat()).toHaveLength(5);
    await advance(1000);
    await sent;
    expect(batches.flat()).toHaveLength(8);
  });

  it('stops appending once the generation is no longer held', async () => {
    const { p, advance, batches } = publisher({}, false);
    await p.emit('Status', { status: 'running' });
    expect(p.lost).toBe(true);
    await p.emit('Status', { status: 'running' });
    p.output('build', 'more');
    await advance(200);
    expect(batches).toHaveLength(1);
  });
});
