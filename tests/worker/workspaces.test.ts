import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkspacePathError } from '../../worker/workspace/paths.ts';
import { Workspaces } from '../../worker/workspace/workspaces.ts';
import { ManualClock } from '../helpers/clock.ts';

const base = mkdtempSync(join(tmpdir(), 'workspaces-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let root = '';
let outside = '';
let workspaces: Workspaces;
let n = 0;
beforeEach(() => {
  n++;
  root = join(base, `root-${n}`);
  outside = join(base, `outside-${n}`);
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'untouched');
  workspaces = new Workspaces({ root, clock: new ManualClock(), lockPollMs: 5 });
});

const refusal = (e: unknown) => (e instanceof WorkspacePathError ? e.reason : e);

describe('Workspaces: made once from the template', () => {
  it('copies the template the first time and reuses the folder after', async () => {
    const first = await workspaces.open('p1');
    expect(first.created).toBe(true);
    expect(readFileSync(join(first.dir, 'pubspec.yaml'), 'utf8')).toContain('name: app');
    writeFileSync(join(first.dir, 'lib/extra.dart'), '// kept');
    const again = await workspaces.open('p1');
    expect(again).toEqual({ dir: first.dir, created: false });
    expect(existsSync(join(first.dir, 'lib/extra.dart'))).toBe(true);
  });

  it('refuses project ids that are not plain names', () => {
    for (const id of ['../p', 'a/b', '', '.hidden', 'x'.repeat(65)]) {
      expect(() => workspaces.dirFor(id)).toThrow('Not a project id');
    }
  });
});

describe('Workspaces: writing files only inside', () => {
  it('writes new and existing files, making folders', async () => {
    await workspaces.open('p1');
    const written = await workspaces.writeFiles('p1', [
      { path: 'lib/main.dart', content: 'void main() {}\n' },
      { path: './lib//models/todo.dart', content: 'class Todo {}\n' },
    ]);
    expect(written).toEqual(['lib/main.dart', 'lib/models/todo.dart']);
    expect(await workspaces.readFile('p1', 'lib/models/todo.dart')).toBe('class Todo {}\n');
    expect(await workspaces.readFile('p1', 'lib/none.dart')).toBeUndefined();
  });

  it.each([
    ['an absolute path', '/etc/passwd', 'absolute'],
    ['a Windows drive path', 'C:\\Windows\\x', 'absolute'],
    ['a parent step', '../outside.dart', 'parent'],
    ['a parent step inside', 'lib/../../outside.dart', 'parent'],
    ['backslashes', 'lib\\..\\..\\x.dart', 'backslash'],
    ['a NUL byte', 'lib/main.dart\u0000.png', 'nul'],
    ['an empty path', '', 'empty'],
    ['a folder', 'lib/', 'is_a_directory'],
    ["the toolchain's folders", '.dart_tool/package_config.json', 'reserved'],
    ['an over-long path', `lib/${'a'.repeat(300)}.dart`, 'too_long'],
  ])('refuses %s, writing nothing', async (_, path, reason) => {
    await workspaces.open('p1');
    const error = await workspaces
      .writeFiles('p1', [
        { path: 'lib/ok.dart', content: '// fine' },
        { path, content: 'x' },
      ])
      .catch((e) => e);
    expect(refusal(error)).toBe(reason);
    expect(existsSync(join(root, 'p1/lib/ok.dart'))).toBe(false);
  });

  it('refuses to write through a symlinked folder planted in the workspace', async () => {
    const { dir } = await workspaces.open('p1');
    symlinkSync(outside, join(dir, 'lib/escape'));
    const error = await workspaces
      .writeFiles('p1', [{ path: 'lib/escape/secret.txt', content: 'owned' }])
      .catch((e) => e);
    expect(refusal(error)).toBe('symlink');
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
    expect(await workspaces.readFile('p1', 'lib/escape/secret.txt').catch(refusal)).toBe('symlink');
  });

  it('refuses to write through a symlinked file, leaving its target alone', async () => {
    const { dir } = await workspaces.open('p1');
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'lib/link.dart'));
    const error = await workspaces
      .writeFiles('p1', [{ path: 'lib/link.dart', content: 'owned' }])
      .catch((e) => e);
    expect(refusal(error)).toBe('symlink');
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
  });

  it('refuses a path through a file', async () => {
    await workspaces.open('p1');
    const error = await workspaces
      .writeFiles('p1', [{ path: 'pubspec.yaml/x.dart', content: '' }])
      .catch((e) => e);
    expect(refusal(error)).toBe('not_a_directory');
  });

  it('lists the app sources for a prompt, not following symlinks', async () => {
    const { dir } = await workspaces.open('p1');
    await workspaces.writeFiles('p1', [{ path: 'lib/a/b.dart', content: '// b' }]);
    symlinkSync(outside, join(dir, 'lib/linked'));
    const sources = await workspaces.sources('p1');
    expect(sources.map((f) => f.path)).toEqual(['pubspec.yaml', 'lib/a/b.dart', 'lib/main.dart']);
  });
});

describe('Workspaces: one holder per project', () => {
  it('queues holders of one project in order, and leaves other projects free', async () => {
    const events: string[] = [];
    const first = await workspaces.lock('p1');
    const second = workspaces.lock('p1').then((l) => {
      events.push('second');
      return l;
    });
    const other = await workspaces.lock('p2');
    events.push('other');
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['other']);
    events.push('first released');
    await first.release();
    await (await second).release();
    await other.release();
    expect(events).toEqual(['other', 'first released', 'second']);
  });

  it('gives up waiting when the signal aborts, and the queue moves on', async () => {
    const held = await workspaces.lock('p1');
    const controller = new AbortController();
    const waiting = workspaces.lock('p1', { signal: controller.signal }).catch((e) => e);
    controller.abort(new Error('cancelled'));
    expect(await waiting).toEqual(new Error('cancelled'));
    await held.release();
    const next = await workspaces.lock('p1', { signal: AbortSignal.timeout(5_000) });
    await next.release();
  });

  it('waits for a lock another process holds, and takes over one whose process died', async () => {
    const holder = spawn('sleep', ['30']);
    const lockFile = join(root, '.locks', 'p1.lock');
    mkdirSync(join(root, '.locks'), { recursive: true });
    writeFileSync(
      lockFile,
      JSON.stringify({
        pid: holder.pid,
        host: (await import('node:os')).hostname(),
        token: 'theirs',
        acquiredAt: 0,
      }),
    );
    const controller = new AbortController();
    const waiting = workspaces.lock('p1', { signal: controller.signal }).catch((e) => e);
    await new Promise((r) => setTimeout(r, 30));
    controller.abort(new Error('still held'));
    expect(await waiting).toEqual(new Error('still held'));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const lock = await workspaces.lock('p1', { signal: AbortSignal.timeout(5_000) });
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });
});

describe('Workspaces: leftovers', () => {
  it('removes half-made workspaces, dead lock files and interrupted writes', async () => {
    const { dir } = await workspaces.open('p1');
    mkdirSync(join(root, '.staging', 'p2-abc'), { recursive: true });
    const temp = join(dir, 'lib', '.main.dart.tmp-0123456789abcdef');
    writeFileSync(temp, 'partial');
    mkdirSync(join(root, '.locks'), { recursive: true });
    writeFileSync(
      join(root, '.locks', 'p3.lock'),
      JSON.stringify({
        pid: 2 ** 22 + 1,
        host: (await import('node:os')).hostname(),
        token: 't',
        acquiredAt: 0,
      }),
    );
    const live = await workspaces.lock('p4');
    const removed = await workspaces.cleanLeftovers();
    expect(removed.sort()).toEqual(
      [join(root, '.locks', 'p3.lock'), join(root, '.staging', 'p2-abc'), temp].sort(),
    );
    expect(existsSync(join(dir, 'lib/main.dart'))).toBe(true);
    expect(existsSync(join(root, '.locks', 'p4.lock'))).toBe(true);
    await live.release();
    await workspaces.remove('p1');
    expect(existsSync(dir)).toBe(false);
  });
});
