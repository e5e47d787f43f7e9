import { describe, expect, it } from 'vitest';
import {
  type OutputChunk,
  OutputChunker,
  type Schedule,
} from '../../worker/toolchain/output-chunker.ts';
import { TailBuffer } from '../../worker/toolchain/tail-buffer.ts';

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
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.live && t.at <= now)) {
      t.live = false;
      t.fn();
    }
  };
  return { schedule, advance };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('OutputChunker', () => {
  it('holds small output until 100 ms after its first byte, then sends it as one chunk', () => {
    const { schedule, advance } = manualTimers();
    const chunks: OutputChunk[] = [];
    const chunker = new OutputChunker({ emit: (c) => void chunks.push(c), schedule });
    chunker.push(bytes('Resolving dependencies...\n'));
    advance(60);
    chunker.push(bytes('Got dependencies!\n'));
    expect(chunks).toEqual([]);
    advance(39);
    expect(chunks).toEqual([]);
    advance(1);
    expect(chunks).toEqual([
      { seq: 0, text: 'Resolving dependencies...\nGot dependencies!\n', bytes: 44 },
    ]);
    chunker.push(bytes('next'));
    advance(100);
    expect(chunks.map((c) => c.text)).toEqual([expect.any(String), 'next']);
  });

  it('sends a full chunk at once when the byte limit is reached', () => {
    const { schedule } = manualTimers();
    const chunks: OutputChunk[] = [];
    const chunker = new OutputChunker({ emit: (c) => void chunks.push(c), schedule, maxBytes: 10 });
    chunker.push(bytes('0123456789abcdefghij-tail'));
    expect(chunks.map((c) => c.text)).toEqual(['0123456789', 'abcdefghij']);
    chunker.flush();
    expect(chunks.map((c) => c.text)).toEqual(['0123456789', 'abcdefghij', '-tail']);
  });

  it('never splits a UTF-8 character, even when it arrives in pieces', () => {
    const { schedule, advance } = manualTimers();
    const chunks: OutputChunk[] = [];
    const chunker = new OutputChunker({ emit: (c) => void chunks.push(c), schedule, maxBytes: 4 });
    const text = bytes('aé€😀');
    chunker.push(text.subarray(0, 2)); // 'a' and the first byte of 'é'
    advance(100);
    expect(chunks.map((c) => c.text)).toEqual(['a']);
    chunker.push(text.subarray(2));
    chunker.flush();
    expect(chunks.map((c) => c.text)).toEqual(['a', 'é', '€', '😀']);
    expect(chunks.every((c) => c.bytes <= 4)).toBe(true);
  });

  it('asks the producer to pause while chunks are in flight, and to resume when they settle', async () => {
    const { schedule } = manualTimers();
    const releases: Array<() => void> = [];
    const pressure: boolean[] = [];
    const chunker = new OutputChunker({
      maxBytes: 4,
      highWaterBytes: 8,
      schedule,
      emit: () => new Promise<void>((r) => releases.push(r)),
      onPressure: (p) => pressure.push(p),
    });
    chunker.push(bytes('aaaabbbbcccc'));
    expect(pressure).toEqual([true]);
    for (const release of releases) release();
    await chunker.drained();
    expect(pressure).toEqual([true, false]);
  });

  it('reports the first failure of the consumer', async () => {
    const { schedule } = manualTimers();
    const chunker = new OutputChunker({
      schedule,
      emit: async () => Promise.reject(new Error('no')),
    });
    chunker.push(bytes('x'));
    chunker.flush();
    await expect(chunker.drained()).rejects.toThrow('no');
  });
});

describe('TailBuffer', () => {
  it('keeps the last bytes only, and counts all of them', () => {
    const tail = new TailBuffer(8);
    tail.push(bytes('hello '));
    expect(tail.toString()).toBe('hello ');
    tail.push(bytes('world, again'));
    expect(tail.toString()).toBe('d, again');
    tail.push(bytes('x'.repeat(100)));
    expect(tail.toString()).toBe('xxxxxxxx');
    expect(tail.total).toBe(118);
  });

  it('drops a character cut at the start of the window', () => {
    const tail = new TailBuffer(5);
    tail.push(bytes('€€')); // 6 bytes: the window starts inside the first €
    expect(tail.toString()).toBe('€');
  });
});
