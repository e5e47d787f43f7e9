// The worker's guard process (see group-guard.ts). Reads `+pgid`, `-pgid` and `bye` lines on
// stdin; when stdin ends without `bye`, the worker is dead: every group still listed is killed.
import { createInterface } from 'node:readline';
import { runningMembers, signalGroup } from './process-group.ts';

const groups = new Set<number>();
let goodbye = false;

// Signals meant for the terminal or the worker are not for the guard.
for (const signal of ['SIGHUP', 'SIGINT'] as const) process.on(signal, () => {});

async function killAll(): Promise<void> {
  for (let round = 0; round < 200 && groups.size; round++) {
    for (const pgid of groups) {
      if (!runningMembers(pgid).length) groups.delete(pgid);
      else signalGroup(pgid, 'SIGKILL');
    }
    if (groups.size) await new Promise((wake) => setTimeout(wake, 10));
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const pgid = Number(line.slice(1));
    if (line === 'bye') goodbye = true;
    else if (line.startsWith('+') && Number.isInteger(pgid) && pgid > 1) groups.add(pgid);
    else if (line.startsWith('-')) groups.delete(pgid);
  })
  .on('close', () => {
    if (goodbye) process.exit(0);
    void killAll().finally(() => process.exit(0));
  });
