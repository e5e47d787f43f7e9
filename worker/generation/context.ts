import type { ErrorReporter } from '../../shared/error-reporting.ts';
import type { Step } from '../../shared/generations/events.ts';
import type { LlmClient } from '../llm/client.ts';
import type { JobContext } from '../runtime/runner.ts';
import type { FlutterToolchain } from '../toolchain/flutter.ts';
import type { ProcessGuard } from '../toolchain/group-guard.ts';
import type { SpaceLimits } from '../workspace/space.ts';
import type { Workspaces } from '../workspace/workspaces.ts';
import type { CancelListener } from './cancels.ts';
import type { PresenceWatcher } from './presence.ts';
import type { PreviewManager } from './preview.ts';
import type { EventPublisher, PublisherLimits } from './publisher.ts';
import type { ClaimedGeneration, GenerationStore } from './store.ts';

/** The limits a run works within, all in milliseconds. */
export interface GenerationSettings {
  fixRounds: number;
  timeouts: {
    llmMs: number;
    pubGetMs: number;
    analyzeMs: number;
    buildMs: number;
    previewMs: number;
  };
  killGraceMs: number;
  leaseMs: number;
  disconnectGraceMs: number;
  /** Room for workspaces: a step that fails without it ends `disk_full`. */
  space: SpaceLimits;
  publisherLimits?: Partial<PublisherLimits>;
}

/** What the generation handler is built from, once per worker. */
export interface GenerationDeps {
  settings: GenerationSettings;
  store: GenerationStore;
  workspaces: Workspaces;
  llm: LlmClient;
  flutter: FlutterToolchain;
  /** The toolchain's environment: no secret of the worker's is in it. */
  toolEnv: Record<string, string>;
  /** Kills the toolchain's process groups should the worker die (see group-guard.ts). */
  guard?: ProcessGuard;
  previews: PreviewManager;
  cancels: CancelListener;
  /** Without Realtime settings there is none, and `cancel_on_disconnect` is not enforced. */
  presence?: PresenceWatcher;
  /** Where unexpected failures go besides the log (Sentry with SENTRY_DSN). */
  errors?: ErrorReporter;
  /** `host:pid:uuid`, unique per worker process. */
  workerId: string;
  host: string;
}

/** One run of one generation, as its steps share it. */
export interface RunState {
  deps: GenerationDeps;
  ctx: JobContext;
  generation: ClaimedGeneration;
  publisher: EventPublisher;
  /** Aborted by cancel, disconnect, a lost lease, or the job's own signal. */
  signal: AbortSignal;
  /** The project's workspace, once open. */
  dir: string;
  step: Step;
  /** Paths written during this run, in order. */
  written: Set<string>;
  summary: string | null;
  buildPath: string | null;
  previewUrl: string | null;
}
