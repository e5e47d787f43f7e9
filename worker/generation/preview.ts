import { createServer } from 'node:net';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/log.ts';
import { flutterArgs, servedUrl } from '../toolchain/flutter.ts';
import type { ProcessGuard } from '../toolchain/group-guard.ts';
import { type PtyProcess, startPty } from '../toolchain/pty-runner.ts';
import { OUTPUT_CHUNK_DELAY_MS } from './publisher.ts';

export interface PreviewSettings {
  flutterBin: string;
  env: Record<string, string>;
  host: string;
  portMin: number;
  portMax: number;
  /** How clients reach it; `{port}` is replaced. Default `http://<host>:{port}`. */
  publicUrl?: string;
  startTimeoutMs: number;
  idleMs: number;
  killGraceMs: number;
  /** Kills the preview's group should the worker die (see group-guard.ts). */
  guard?: ProcessGuard;
  clock: Clock;
  log: Logger;
  /** How often a preview's health is checked. Default 5 s. */
  checkMs?: number;
  /** Restarts in a row before giving up on it. Default 3. */
  maxRestarts?: number;
}

/** What a preview reports to whoever started it. */
export interface PreviewHooks {
  generationId: string;
  /** Its output while the generation runs (detached once the run ends). */
  onOutput?: (text: string) => void;
  /** A process group started for it, to record for crash recovery. */
  onGroup: (pgid: number) => Promise<void>;
  /** It stopped for good (idle, replaced, given up, or the worker stops). */
  onStopped: () => Promise<void>;
}

/** Lines a dev server prints when it has broken: the preview is restarted. */
const CRITICAL = /(^|\n)\s*(Unhandled exception|Error: |Failed to compile|Exception: )/;

interface Preview {
  projectId: string;
  port: number;
  localUrl: string;
  url: string;
  proc: PtyProcess;
  hooks: PreviewHooks;
  startedAt: number;
  failures: number;
  restarts: number;
  broken: boolean;
  stopping: boolean;
  timer?: ReturnType<typeof setInterval>;
}

async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.once('error', () => answer(false));
    server.listen(port, host, () => server.close(() => answer(true)));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Serves built apps with `flutter run -d web-server`, one per project. A preview counts as up
 * when its output says where it is served and that URL answers over HTTP. It is checked every
 * few seconds, by HTTP, by its process and by its output (a compile error or an unhandled
 * exception); a broken one is restarted, with backoff, and given up after a few tries in a
 * row. It is stopped when it has run for `idleMs`, when the project's next generation starts,
 * when its generation is cancelled, and when the worker stops.
 */
export class PreviewManager {
  private readonly previews = new Map<string, Preview>();
  private readonly settings: PreviewSettings;

  constructor(settings: PreviewSettings) {
    this.settings = settings;
  }

  /** The project's preview URL, if one is up. */
  urlOf(projectId: string): string | undefined {
    return this.previews.get(projectId)?.url;
  }

  /** Starts the project's preview (replacing one that runs) and resolves with its URL. */
  async start(
    projectId: string,
    dir: string,
    hooks: PreviewHooks,
    signal: AbortSignal,
  ): Promise<string> {
    await this.stop(projectId);
    const port = await this.freePort();
    const { host, publicUrl } = this.settings;
    const preview: Preview = {
      projectId,
      port,
      localUrl: `http://${host}:${port}`,
      url: (publicUrl ?? `http://${host}:{port}`).replace('{port}', String(port)),
      proc: undefined as unknown as PtyProcess,
      hooks,
      startedAt: this.settings.clock.now(),
      failures: 0,
      restarts: 0,
      broken: false,
      stopping: false,
    };
    this.previews.set(projectId, preview);
    const onAbort = () => void this.stop(projectId);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.launch(preview, dir, signal);
    } catch (err) {
      await this.stop(projectId);
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    preview.timer = setInterval(
      () => void this.check(preview, dir),
      this.settings.checkMs ?? 5_000,
    );
    return preview.url;
  }

  /** Stops sending the preview's output anywhere (its generation ended). */
  detach(projectId: string): void {
    const preview = this.previews.get(projectId);
    if (preview) preview.hooks.onOutput = undefined;
  }

  /** Stops the project's preview and waits until no process of it is left. */
  async stop(projectId: string): Promise<void> {
    const preview = this.previews.get(projectId);
    if (!preview || preview.stopping) return;
    preview.stopping = true;
    clearInterval(preview.timer);
    this.previews.delete(projectId);
    preview.proc?.stop();
    await preview.proc?.done.catch(() => {});
    await preview.hooks.onStopped().catch((err) => this.settings.log.warn('preview', { err }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.previews.keys()].map((id) => this.stop(id)));
  }

  /** Runs `flutter run` and waits until it serves, exits, times out or is aborted. */
  private async launch(preview: Preview, dir: string, signal?: AbortSignal): Promise<void> {
    const { settings } = this;
    let announced = '';
    let served = false;
    preview.broken = false;
    const proc = startPty({
      command: settings.flutterBin,
      args: flutterArgs.runWebServer({ port: preview.port, hostname: settings.host }),
      cwd: dir,
      env: settings.env,
      // The preview's lifetime is the manager's to decide (idle, replaced, stopped).
      timeoutMs: 7 * 24 * 3600_000,
      killGraceMs: settings.killGraceMs,
      guard: settings.guard,
      chunkMaxDelayMs: OUTPUT_CHUNK_DELAY_MS,
      onOutput: (chunk) => {
        if (!served && announced.length < 64 * 1024) announced += chunk.text;
        if (served && CRITICAL.test(chunk.text)) preview.broken = true;
        preview.hooks.onOutput?.(chunk.text);
      },
    });
    preview.proc = proc;
    await preview.hooks.onGroup(proc.pid);
    let exited = false;
    void proc.done.then(() => {
      exited = true;
    });
    const deadline = settings.clock.now() + settings.startTimeoutMs;
    while (!served) {
      if (signal?.aborted) throw signal.reason;
      if (exited) throw new Error(`The preview exited before serving:\n${announced.slice(-2000)}`);
      if (settings.clock.now() > deadline) {
        throw new Error(`The preview did not answer within ${settings.startTimeoutMs / 1000} s`);
      }
      served = Boolean(servedUrl(announced)) && (await answers(preview.localUrl));
      if (!served) await new Promise((wake) => setTimeout(wake, 100));
    }
  }

  private async check(preview: Preview, dir: string): Promise<void> {
    const { settings } = this;
    if (preview.stopping) return;
    if (settings.clock.now() - preview.startedAt >= settings.idleMs) {
      settings.log.info('preview idle; stopping it', { project: preview.projectId });
      return this.stop(preview.projectId);
    }
    const healthy = !preview.broken && (await answers(preview.localUrl));
    preview.failures = healthy ? 0 : preview.failures + 1;
    if (healthy) preview.restarts = 0;
    if (preview.failures < 2 && !preview.broken) return;
    if (preview.restarts >= (settings.maxRestarts ?? 3)) {
      settings.log.warn('preview keeps failing; giving up', { project: preview.projectId });
      return this.stop(preview.projectId);
    }
    preview.restarts++;
    clearInterval(preview.timer);
    settings.log.warn('preview unhealthy; restarting', {
      project: preview.projectId,
      restart: preview.restarts,
    });
    preview.proc.stop();
    await preview.proc.done.catch(() => {});
    await new Promise((wake) => setTimeout(wake, 1000 * 2 ** (preview.restarts - 1)));
    if (preview.stopping) return;
    try {
      await this.launch(preview, dir);
      preview.failures = 0;
      preview.timer = setInterval(() => void this.check(preview, dir), settings.checkMs ?? 5_000);
    } catch (err) {
      settings.log.warn('preview restart failed', { project: preview.projectId, err });
      await this.stop(preview.projectId);
    }
  }

  private async freePort(): Promise<number> {
    const taken = new Set([...this.previews.values()].map((p) => p.port));
    const { portMin, portMax, host } = this.settings;
    for (let port = portMin; port <= portMax; port++) {
      if (!taken.has(port) && (await portFree(host, port))) return port;
    }
    throw new Error(`No free preview port between ${portMin} and ${portMax}`);
  }
}
