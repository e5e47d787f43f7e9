import { readFileSync } from 'node:fs';
import { runningMembers, signalGroup } from './process-group.ts';

/**
 * A process's start time (clock ticks after boot, /proc/<pid>/stat field 22), which with its
 * pid identifies it for good: a pid is reused, a pid and a start time never are. Null when
 * the process is gone or /proc is not there.
 */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`: fields after the command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

/** A process group as the worker recorded it when it started the group's leader. */
export interface GroupIdentity {
  pgid: number;
  /** The leader's start time then; null when it could not be read. */
  start: number | null;
}

/**
 * Kills what is left of a recorded process group, unless its id now belongs to someone else.
 * While any process of a group lives, its id cannot be given to a new process, so members
 * whose leader is gone are the recorded group's orphans; a live leader is checked by its
 * start time. Returns what it found.
 */
export async function killRecordedGroup(
  group: GroupIdentity,
): Promise<'gone' | 'killed' | 'reused'> {
  if (!Number.isInteger(group.pgid) || group.pgid <= 1) return 'gone';
  if (!runningMembers(group.pgid).length) return 'gone';
  const leaderStart = processStart(group.pgid);
  if (leaderStart !== null && group.start !== null && leaderStart !== group.start) return 'reused';
  for (let i = 0; i < 200 && runningMembers(group.pgid).length; i++) {
    signalGroup(group.pgid, 'SIGKILL');
    await new Promise((wake) => setTimeout(wake, 10));
  }
  return 'killed';
}
