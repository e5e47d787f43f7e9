import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/ports.ts';
import { createLogger } from '../../shared/log.ts';
import { PreviewManager, type PreviewSettings } from '../../worker/generation/preview.ts';
import { runningMembers, signalGroup } from '../../worker/toolchain/process-group.ts';
import { ManualClock } from '../helpers/clock.ts';
import { FLUTTER_SIM, templateCopy } from '../helpers/flutter-sim.ts';
import { until } from '../helpers/worker.ts';

// The preview of a built app (`flutter run -d web-server`, simulated): up when its URL
// answers, restarted when it dies, stopped when idle, replaced or cancelled.
const app = templateCopy();

async function manager(overrides: Partial<PreviewSettings> = {}) {
  const clock = new ManualClock();
  const port = await freePort();
  const settings: PreviewSettings = {
    flutterBin: FLUTTER_SIM,
    env: { ...(process.env as Record<string, string>), FLUTTER_SIM_DELAY_SCALE: '0' },
    host: '127.0.0.1',
    portMin: port,
    portMax: port,
    startTimeoutMs: 20_000,
    idleMs: 60_000,
    killGraceMs: 1_000,
    clock,
    log: createLogger({ level: 'silent' }),
    checkMs: 50,
    ...overrides,
  };
  const groups: number[] = [];
  let stopped = 0;
  const hooks = {
    generationId: 'g',
    onGroup: async (pgid: number) => void groups.push(pgid),
    onStopped: async () => void stopped++,
  };
  return {
    previews: new PreviewManager(settings),
    clock,
    port,
    groups,
    hooks,
    stopped: () => stopped,
  };
}

const answers = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

describe('PreviewManager', () => {
  it('starts a preview whose URL answers, and stops it with no process left', async () => {
    const { previews, port, groups, hooks, stopped } = await manager();
    const url = await previews.start('p1', app, hooks, new AbortController().signal);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(await answers(url)).toBe(true);
    expect(groups).toHaveLength(1);
    await previews.stop('p1');
    expect(runningMembers(groups[0]!)).toEqual([]);
    expect(await answers(url)).toBe(false);
    expect(stopped()).toBe(1);
  });

  it('restarts a preview whose process died', async () => {
    const { previews, groups, hooks } = await manager();
    const url = await previews.start('p2', app, hooks, new AbortController().signal);
    signalGroup(groups[0]!, 'SIGKILL');
    await until(
      async () => groups.length,
      (n) => n === 2,
      15_000,
      'a restart',
    );
    await until(() => answers(url), Boolean, 15_000, 'the restarted preview to answer');
    expect(runningMembers(groups[0]!)).toEqual([]);
    await previews.stopAll();
    expect(runningMembers(groups[1]!)).toEqual([]);
  });

  it('stops a preview that has run for the idle time', async () => {
    const { previews, clock, groups, hooks, stopped } = await manager({ idleMs: 60_000 });
    const url = await previews.start('p3', app, hooks, new AbortController().signal);
    clock.advance(60_000);
    await until(
      async () => stopped(),
      (n) => n === 1,
      5_000,
      'the idle stop',
    );
    expect(previews.urlOf('p3')).toBeUndefined();
    expect(runningMembers(groups[0]!)).toEqual([]);
    expect(await answers(url)).toBe(false);
  });

  it('gives up starting when cancelled, leaving no process', async () => {
    const { previews, groups, hooks } = await manager({
      env: { ...(process.env as Record<string, string>), FLUTTER_SIM_DELAY_SCALE: '20' },
    });
    const cancel = new AbortController();
    const starting = previews.start('p4', app, hooks, cancel.signal);
    await until(
      async () => groups.length,
      (n) => n === 1,
      10_000,
      'the preview to start',
    );
    cancel.abort(new Error('cancelled'));
    await expect(starting).rejects.toThrow('cancelled');
    expect(runningMembers(groups[0]!)).toEqual([]);
  });
});
