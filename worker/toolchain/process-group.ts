import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

/**
 * Sends `signal` to every process of the group `pgid` (a process started in a PTY leads its
 * own session and group, so its pid is the group id). False when the group has no process.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`Not a process group id: ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/** A process as /proc shows it: pid, state letter (`R`, `S`, `Z` for a zombie…) and group. */
interface ProcEntry {
  pid: number;
  state: string;
  pgid: number;
}

function procEntries(): ProcEntry[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const out: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), state: fields[0] ?? '?', pgid: Number(fields[2]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/**
 * The group's processes that still run. A killed process stays a zombie until its parent
 * (PID 1 for orphans) reaps it; zombies hold no resources and run nothing, so they do not
 * count. Without /proc, any process of the group counts.
 */
export function runningMembers(pgid: number): number[] {
  const entries = procEntries();
  if (!entries) return signalGroup(pgid, 0) ? [pgid] : [];
  return entries
    .filter((p) => p.pgid === pgid && p.state !== 'Z' && p.state !== 'X')
    .map((p) => p.pid);
}

/** Whether any process of the group still runs (zombies aside). */
export const groupAlive = (pgid: number): boolean => runningMembers(pgid).length > 0;

const NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** `SIGKILL` for 9; `null` for 0 or an unknown number. */
export const signalName = (n: number | undefined): NodeJS.Signals | null =>
  (n ? (NAMES.get(n) as NodeJS.Signals | undefined) : undefined) ?? null;
