import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../helpers/stack.ts';
import { ended, eventsOf } from '../helpers/worker.ts';
import { expectAllEnded, settledEmpty, signUp } from './system.ts';
import { faultToolchain } from './toolchain.ts';

// A toolchain step that never ends and prints nothing (and ignores TERM, as a stuck process
// may): the step's timeout ends it, the generation fails saying so, nothing is left running.
const toolchain = faultToolchain();
const h = useLocalStack(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true' },
  {
    worker: {
      env: {
        ...toolchain.env,
        STEP_TIMEOUT_ANALYZE_S: '2',
        KILL_GRACE_S: '1',
        POLL_INTERVAL_S: '0.5',
        LOG_LEVEL: 'silent',
      },
    },
  },
);

describe('a hung toolchain', () => {
  it('is killed at the step timeout; the generation fails clearly and the worker goes on', async () => {
    const user = await signUp(h.stack.gatewayUrl);
    const project = await user.project('Hung');
    toolchain.set('analyze', 'hang');
    const id = await user.generate(project, 'a weather app');
    const row = await ended(h.db.sql, id, 30_000);
    expect(row).toMatchObject({
      status: 'failed',
      error: '`flutter analyze` took longer than 2 s',
    });
    const events = await eventsOf(h.db.sql, id);
    expect(events.find((e) => e.type === 'Error')?.data).toMatchObject({
      kind: 'timeout',
      step: 'analyze',
    });
    expect(events.at(-1)).toMatchObject({ type: 'Result', data: { status: 'failed' } });
    expect(await settledEmpty(toolchain.processes)).toEqual([]);

    toolchain.set('analyze', 'fast');
    const next = await user.generate(project, 'a weather app, again');
    expect(await ended(h.db.sql, next, 30_000)).toMatchObject({ status: 'succeeded' });
    await expectAllEnded(h.db.sql);
    expect(toolchain.processes()).toEqual([]);
  });
});
