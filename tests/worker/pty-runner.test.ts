import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { OutputChunk } from '../../worker/toolchain/output-chunker.ts';
import { groupAlive } from '../../worker/toolchain/process-group.ts';
import { runPty, SpawnError, startPty } from '../../worker/toolchain/pty-runner.ts';

const cwd = tmpdir();
const sh = (script: string) => ({ command: 'sh', args: ['-c', script], cwd });

/**
 * `ps`'s view of the machine: pid → [process group, state]. A killed orphan lingers as a
 * zombie (state Z: dead, running nothing) until PID 1 reaps it, so zombies count as gone.
 */
function processes(): Map<number, [number, string]> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
  return new Map(
    rows.filter((r) => r.length === 3).map(([p, g, s]) => [Number(p), [Number(g), s ?? '']]),
  );
}

/** Running (non-zombie) processes of group `pgid`, as `ps` sees them. */
const groupMembers = (pgid: number) =>
  [...processes()].filter(([, [g, s]]) => g === pgid && !s.startsWith('Z')).map(([p]) => p);

/** Whether `pid` exists and is not a zombie: `kill(pid, 0)` first, then `ps` for its state. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !(processes().get(pid)?.[1] ?? 'Z').startsWith('Z');
};

/** `child:<pid>` lines a script prints for the processes it starts. */
const childPids = (text: string) => [...text.matchAll(/child:(\d+)/g)].map((m) => Number(m[1]));

describe('runPty: exit codes and output', () => {
  it('returns the exit code and reports every byte of output in order', async () => {
    const chunks: OutputChunk[] = [];
    const result = await runPty({
      ...sh('echo one; echo two; exit 3'),
      timeoutMs: 10_000,
      onOutput: (c) => void chunks.push(c),
    });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 3, signal: null });
    expect(chunks.map((c) => c.text).join('')).toBe('one\r\ntwo\r\n');
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(result.tail).toBe('one\r\ntwo\r\n');
    expect(result.outputBytes).toBe(10);
  });

  it('reports a process killed by a signal', async () => {
    const result = await runPty({ ...sh('kill -USR1 $$; sleep 5'), timeoutMs: 10_000 });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: null, signal: 'SIGUSR1' });
  });

  it('passes cwd and env, and reads what is typed into the terminal', async () => {
    const run = startPty({
      ...sh('echo "dir:$(pwd) var:$STEP"; read answer; echo "got:$answer"'),
      env: { PATH: process.env.PATH, STEP: 'pub-get' },
      timeoutMs: 10_000,
    });
    run.write('yes\r');
    const result = await run.done;
    expect(result.tail).toContain(`dir:${cwd} var:pub-get`);
    expect(result.tail).toContain('got:yes');
  });

  it('refuses what it cannot start', () => {
    expect(() => startPty({ command: 'no-such-command-x', cwd, timeoutMs: 1000 })).toThrow(
      SpawnError,
    );
    expect(() => startPty({ command: 'sh', cwd: '/no/such/dir', timeoutMs: 1000 })).toThrow(
      SpawnError,
    );
  });
});

describe('runPty: bounded chunks and memory', () => {
  it('never sends a chunk over the byte limit, nor splits a character', async () => {
    const chunks: OutputChunk[] = [];
    // 300 000 two-byte characters: 600 000 bytes, no newlines for the terminal to expand.
    const result = await runPty({
      command: process.execPath,
      args: ['-e', "process.stdout.write('é'.repeat(300000))"],
      cwd,
      timeoutMs: 20_000,
      chunkMaxBytes: 16 * 1024,
      onOutput: (c) => void chunks.push(c),
    });
    expect(result.exitCode).toBe(0);
    expect(Math.max(...chunks.map((c) => c.bytes))).toBeLessThanOrEqual(16 * 1024);
    expect(chunks.every((c) => !c.text.includes('\uFFFD'))).toBe(true);
    expect(chunks.every((c) => Buffer.byteLength(c.text) === c.bytes)).toBe(true);
    expect(chunks.map((c) => c.text).join('')).toBe('é'.repeat(300000));
    expect(result.outputBytes).toBe(600_000);
    expect(Buffer.byteLength(result.tail)).toBeLessThanOrEqual(64 * 1024);
    expect(result.tail.endsWith('éé')).toBe(true);
  });

  it('pauses the terminal while a slow consumer is behind, and loses nothing', async () => {
    let inFlight = 0;
    let most = 0;
    let received = 0;
    const result = await runPty({
      command: process.execPath,
      args: ['-e', "process.stdout.write('x'.repeat(2 * 1024 * 1024))"],
      cwd,
      timeoutMs: 30_000,
      onOutput: async (c) => {
        inFlight += c.bytes;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight -= c.bytes;
        received += c.bytes;
      },
    });
    expect(result.exitCode).toBe(0);
    expect(received).toBe(2 * 1024 * 1024);
    // The high-water mark (4 chunks) plus the one read that crossed it.
    expect(most).toBeLessThanOrEqual(5 * 16 * 1024 + 64 * 1024);
  });
});

describe('runPty: timeout and abort stop the whole process group', () => {
  it('kills the group on timeout: TERM first', async () => {
    let pgid = 0;
    const result = await runPty({
      ...sh('sleep 30 & echo child:$!; sleep 30 & echo child:$!; wait'),
      timeoutMs: 500,
      onStart: (p) => {
        pgid = p.pgid;
      },
    });
    expect(result).toMatchObject({ outcome: 'timeout', exitCode: null, signal: 'SIGTERM' });
    const children = childPids(result.tail);
    expect(children).toHaveLength(2);
    expect(children.filter(alive)).toEqual([]);
    expect(groupAlive(pgid)).toBe(false);
    expect(groupMembers(pgid)).toEqual([]);
  });

  it('kills with KILL after the grace when TERM is ignored', async () => {
    const result = await runPty({
      ...sh('trap "" TERM; sleep 30 & echo child:$!; while :; do sleep 0.05; done'),
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(result).toMatchObject({ outcome: 'timeout', signal: 'SIGKILL' });
    expect(childPids(result.tail).filter(alive)).toEqual([]);
    expect(groupMembers(result.pid)).toEqual([]);
  });

  it('stops when the signal aborts, and at once when it already had', async () => {
    const controller = new AbortController();
    const run = startPty({
      ...sh('echo ready; sleep 30 & echo child:$!; wait'),
      timeoutMs: 30_000,
      signal: controller.signal,
      onOutput: (c) => {
        if (c.text.includes('child:')) controller.abort();
      },
    });
    const result = await run.done;
    expect(result.outcome).toBe('aborted');
    expect(childPids(result.tail).filter(alive)).toEqual([]);
    expect(groupMembers(result.pid)).toEqual([]);

    const early = await runPty({
      ...sh('sleep 30'),
      timeoutMs: 30_000,
      signal: AbortSignal.abort(),
    });
    expect(early.outcome).toBe('aborted');
  });

  it('leaves nothing running when the command exits but its children do not', async () => {
    const result = await runPty({
      ...sh('trap "" HUP; sleep 30 & echo child:$!; exit 0'),
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    const [child] = childPids(result.tail);
    expect(child).toBeGreaterThan(0);
    expect(alive(child!)).toBe(false);
    expect(groupMembers(result.pid)).toEqual([]);
  });
});
