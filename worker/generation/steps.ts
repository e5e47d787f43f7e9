import type { EventData, Step } from '../../shared/generations/events.ts';
import type { GeneratedFile } from '../llm/protocol.ts';
import { type AnalysisIssue, parseAnalyzeOutput } from '../toolchain/analyze-parser.ts';
import { flutterArgs } from '../toolchain/flutter.ts';
import { processStart } from '../toolchain/process-identity.ts';
import { type PtyRunResult, SpawnError, startPty } from '../toolchain/pty-runner.ts';
import { spaceProblem } from '../workspace/space.ts';
import type { RunState } from './context.ts';
import { GenerationFailure } from './failures.ts';
import { nextTurn, OUTPUT_CHUNK_DELAY_MS } from './publisher.ts';
import type { NewEvent } from './store.ts';

/**
 * Largest file content a Code event carries, as JSON: Realtime takes payloads up to 256 KB,
 * and escaping can make text several times longer than its bytes.
 */
const CODE_EVENT_MAX_JSON_BYTES = 200_000;
/** Findings reported per analysis, errors first. */
const FINDINGS_PER_ROUND = 50;
/** Output quoted in an error report. */
const TAIL_CHARS = 4_000;

const lastChars = (text: string) => text.slice(-TAIL_CHARS);
const NAMES: Record<string, string> = {
  pub_get: '`flutter pub get`',
  analyze: '`flutter analyze`',
  build: '`flutter build web`',
};

/** Says which step the run is in. */
export async function enterStep(run: RunState, step: Step, message?: string): Promise<void> {
  run.step = step;
  await run.publisher.emit('Status', { status: 'running', step, ...(message ? { message } : {}) });
}

/**
 * Runs a toolchain command of `step` in the workspace under a PTY, streaming its output, with
 * the step's timeout; its process group is recorded while it runs, so a worker that dies
 * leaves it findable. Cancel stops the group (TERM, then KILL) before this returns.
 */
export async function runTool(
  run: RunState,
  step: Step,
  args: string[],
  timeoutMs: number,
): Promise<PtyRunResult> {
  const { deps, generation } = run;
  await enterStep(run, step);
  let recorded: Promise<void> = Promise.resolve();
  let pgid = 0;
  let proc: ReturnType<typeof startPty>;
  try {
    proc = startPty({
      command: deps.flutter.bin,
      args,
      cwd: run.dir,
      env: deps.toolEnv,
      timeoutMs,
      killGraceMs: deps.settings.killGraceMs,
      guard: deps.guard,
      signal: run.signal,
      chunkMaxDelayMs: OUTPUT_CHUNK_DELAY_MS,
      onOutput: (chunk) => {
        run.publisher.output(step, chunk.text, chunk.bytes);
        return nextTurn();
      },
      onStart: (info) => {
        pgid = info.pgid;
        recorded = deps.store.recordGroup(generation.id, deps.workerId, {
          host: deps.host,
          pgid: info.pgid,
          start: processStart(info.pid),
          role: 'step',
        });
      },
    });
  } catch (err) {
    if (err instanceof SpawnError) throw new GenerationFailure('step_failed', err.message, step);
    throw err;
  }
  const result = await proc.done;
  await recorded.catch(() => {});
  await deps.store.forgetGroup(generation.id, pgid).catch(() => {});
  if (run.signal.aborted) throw run.signal.reason;
  // A tool that ran out of room says so in its own words, if at all; the worker says it
  // plainly. The quota is checked after every step, free space after a failed one.
  const { space } = deps.settings;
  if (result.exitCode !== 0 || space.maxBytes !== undefined) {
    const problem = await spaceProblem(deps.workspaces.root, run.dir, space);
    if (problem) throw new GenerationFailure('disk_full', problem, step, lastChars(result.tail));
  }
  if (result.outcome === 'timeout') {
    throw new GenerationFailure(
      'timeout',
      `${NAMES[step] ?? step} took longer than ${Math.round(timeoutMs / 1000)} s`,
      step,
      lastChars(result.tail),
    );
  }
  return result;
}

/** `flutter pub get`; a failure ends the generation. */
export async function pubGet(run: RunState): Promise<void> {
  const result = await runTool(
    run,
    'pub_get',
    flutterArgs.pubGet(),
    run.deps.settings.timeouts.pubGetMs,
  );
  if (result.exitCode !== 0) {
    throw new GenerationFailure(
      'step_failed',
      '`flutter pub get` failed',
      'pub_get',
      lastChars(result.tail),
    );
  }
}

/** Findings as events, errors first, at most FINDINGS_PER_ROUND. */
function findingEvents(issues: AnalysisIssue[], round: number): NewEvent[] {
  const order = { error: 0, warning: 1, info: 2 };
  return [...issues]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .slice(0, FINDINGS_PER_ROUND)
    .map((i) => ({ type: 'AnalysisError', data: { ...i, round } as EventData['AnalysisError'] }));
}

export const errorsOf = (issues: AnalysisIssue[]) => issues.filter((i) => i.severity === 'error');

/** `flutter analyze`: its findings, reported as AnalysisError events of `round`. */
export async function analyze(run: RunState, round: number): Promise<AnalysisIssue[]> {
  const result = await runTool(
    run,
    'analyze',
    flutterArgs.analyze(),
    run.deps.settings.timeouts.analyzeMs,
  );
  const issues = parseAnalyzeOutput(result.tail, run.dir);
  if (result.exitCode !== 0 && issues.length === 0) {
    throw new GenerationFailure(
      'step_failed',
      '`flutter analyze` failed',
      'analyze',
      lastChars(result.tail),
    );
  }
  if (issues.length) await run.publisher.emitAll(findingEvents(issues, round));
  return issues;
}

/** `flutter build web`; compile errors are reported as findings and end the generation. */
export async function buildWeb(run: RunState): Promise<void> {
  const result = await runTool(
    run,
    'build',
    flutterArgs.buildWeb(),
    run.deps.settings.timeouts.buildMs,
  );
  if (result.exitCode !== 0) {
    const issues = parseAnalyzeOutput(result.tail, run.dir);
    if (issues.length) await run.publisher.emitAll(findingEvents(issues, 0));
    throw new GenerationFailure(
      'build_failed',
      '`flutter build web` failed',
      'build',
      lastChars(result.tail),
    );
  }
  run.buildPath = 'build/web';
}

/** `text`, or as much of its start as stays within CODE_EVENT_MAX_JSON_BYTES once escaped. */
function fitEvent(text: string): string {
  let cut = text;
  for (let i = 0; i < 8; i++) {
    const size = Buffer.byteLength(JSON.stringify(cut));
    if (size <= CODE_EVENT_MAX_JSON_BYTES) return cut;
    cut = cut.slice(0, Math.floor((cut.length * CODE_EVENT_MAX_JSON_BYTES) / size) - 16);
  }
  return '';
}

/**
 * Writes files into the project's workspace (every path checked first: one bad path writes
 * nothing) and reports each as a Code event.
 */
export async function writeFiles(run: RunState, files: GeneratedFile[]): Promise<void> {
  const paths = await run.deps.workspaces.writeFiles(run.generation.projectId, files);
  const events: NewEvent[] = paths.map((path, i) => {
    const content = files[i]?.content ?? '';
    const bytes = Buffer.byteLength(content);
    run.written.add(path);
    const cut = fitEvent(content);
    if (cut === content) return { type: 'Code', data: { path, content, bytes } };
    return { type: 'Code', data: { path, content: cut, bytes, truncated: true } };
  });
  await run.publisher.emitAll(events);
}

/** Serves the build with `flutter run -d web-server`; its URL goes into the result. */
export async function startPreview(run: RunState): Promise<void> {
  const { deps, generation } = run;
  await enterStep(run, 'preview');
  try {
    run.previewUrl = await deps.previews.start(
      generation.projectId,
      run.dir,
      {
        generationId: generation.id,
        onOutput: (text) => run.publisher.output('preview', text),
        onGroup: (pgid) =>
          deps.store.recordGroup(generation.id, deps.workerId, {
            host: deps.host,
            pgid,
            start: processStart(pgid),
            role: 'preview',
          }),
        onStopped: () => deps.store.releasePreview(generation.id),
      },
      run.signal,
    );
  } catch (err) {
    if (run.signal.aborted) throw run.signal.reason;
    throw new GenerationFailure('preview_failed', (err as Error).message, 'preview');
  }
}
