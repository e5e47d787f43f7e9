import { basename, resolve } from 'node:path';
import { now, out, pause, since } from '../console.ts';
import { analyzeSources } from '../dart/analyzer.ts';
import { type Diagnostic, formatDiagnostic } from '../dart/diagnostics.ts';
import { loadSources } from '../project.ts';
import { readPubspec } from '../pubspec.ts';
import { noPubspec, pubGet } from './pub.ts';

export interface AnalyzeFlags {
  paths: string[];
  fatalInfos: boolean;
  fatalWarnings: boolean;
  pub: boolean;
}

/** Parses `flutter analyze` flags; unknown ones are returned for the caller to reject. */
export function analyzeFlags(args: string[]): { flags: AnalyzeFlags; unknown?: string } {
  const flags: AnalyzeFlags = { paths: [], fatalInfos: true, fatalWarnings: true, pub: true };
  for (const a of args) {
    if (a === '--no-fatal-infos') flags.fatalInfos = false;
    else if (a === '--fatal-infos') flags.fatalInfos = true;
    else if (a === '--no-fatal-warnings') flags.fatalWarnings = false;
    else if (a === '--fatal-warnings') flags.fatalWarnings = true;
    else if (a === '--no-pub') flags.pub = false;
    else if (a === '--pub') flags.pub = true;
    else if (a.startsWith('-')) return { flags, unknown: a };
    else flags.paths.push(a);
  }
  return { flags, unknown: undefined };
}

/** Every diagnostic of a project (or of `paths` in it), options file findings included. */
export function analyzeProject(root: string, paths: string[] = []): Diagnostic[] {
  const { sources, targets, optionIssues } = loadSources(root, paths);
  const found = analyzeSources(sources).filter((d) => targets.has(d.file));
  return [...optionIssues, ...found];
}

/**
 * `flutter analyze`: prints each finding as `  error • message • file:line:col • code` and a
 * summary; exits 1 when any error is found, or any warning or info unless told they are not
 * fatal, as the real command does.
 */
export async function analyzeCommand(root: string, flags: AnalyzeFlags): Promise<number> {
  if (!readPubspec(root)) return noPubspec();
  if (flags.pub) {
    const code = await pubGet(root, { implicit: true });
    if (code !== 0) return code;
  }
  const started = now();
  const label =
    flags.paths.length > 1
      ? `${flags.paths.length} items`
      : (flags.paths[0] ?? basename(resolve(root)));
  out(`Analyzing ${label}...`);
  await pause(1800);
  const issues = analyzeProject(root, flags.paths);
  const ran = `(ran in ${(Math.max(since(started), 100) / 1000).toFixed(1)}s)`;
  if (!issues.length) {
    out(`No issues found! ${ran}`);
    return 0;
  }
  out('');
  for (const d of issues) out(formatDiagnostic(d));
  out('');
  out(`${issues.length} ${issues.length === 1 ? 'issue' : 'issues'} found. ${ran}`);
  const fatal = issues.some(
    (d) =>
      d.severity === 'error' ||
      (d.severity === 'warning' && flags.fatalWarnings) ||
      (d.severity === 'info' && flags.fatalInfos),
  );
  return fatal ? 1 : 0;
}
