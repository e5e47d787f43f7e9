import type { EventData } from '../../shared/generations/events.ts';
import type { GenerationJob } from '../../shared/jobs/queues.ts';
import { LlmError } from '../llm/errors.ts';
import type { ChatMessage } from '../llm/protocol.ts';
import { type JobContext, type JobHandler, Transient } from '../runtime/runner.ts';
import { killRecordedGroup } from '../toolchain/process-identity.ts';
import type { WorkspaceLock } from '../workspace/lock.ts';
import type { GenerationDeps, RunState } from './context.ts';
import { classify, GenerationFailure, type StopReason } from './failures.ts';
import { fixConversation, fixRound, generateCode } from './model.ts';
import { EventPublisher } from './publisher.ts';
import {
  analyze,
  buildWeb,
  enterStep,
  errorsOf,
  pubGet,
  startPreview,
  writeFiles,
} from './steps.ts';
import type { ClaimedGeneration, NewEvent } from './store.ts';

/**
 * The `generation` queue's handler: claims the generation, runs it, and ends it. A generation
 * that already ended (cancelled while queued) completes the job at once; one another worker
 * still holds is retried later.
 */
export function generationHandler(deps: GenerationDeps): JobHandler<'generation'> {
  return async (payload: GenerationJob, ctx: JobContext) => {
    const claim = await deps.store.claim(
      payload.generation_id,
      deps.workerId,
      deps.settings.leaseMs,
    );
    if (claim.kind === 'busy') throw new Transient(`The generation is held by ${claim.workerId}`);
    if (claim.kind !== 'claimed') {
      ctx.log.info('nothing to run', { generation: payload.generation_id, found: claim.kind });
      return;
    }
    // Taken over from a worker that died before recovery got to it: what it left on this
    // machine goes first (a group is killed only if it is still the one recorded).
    for (const group of claim.leftover) {
      if (group.host === deps.host) await killRecordedGroup(group);
    }
    await new GenerationRun(deps, claim.generation, ctx).execute();
  };
}

/** One run: its steps, heartbeat, cancel and presence watches, and how it ends. */
class GenerationRun {
  private readonly run: RunState;
  private readonly stop = new AbortController();
  private readonly startedAt: number;
  private readonly deps: GenerationDeps;
  private readonly generation: ClaimedGeneration;
  private readonly ctx: JobContext;

  constructor(deps: GenerationDeps, generation: ClaimedGeneration, ctx: JobContext) {
    this.deps = deps;
    this.generation = generation;
    this.ctx = ctx;
    this.startedAt = ctx.clock.now();
    const publisher = new EventPublisher(
      (events) => deps.store.append(generation.id, deps.workerId, events),
      { limits: deps.settings.publisherLimits },
    );
    this.run = {
      deps,
      ctx,
      generation,
      publisher,
      signal: AbortSignal.any([this.stop.signal, ctx.signal]),
      dir: '',
      step: 'workspace',
      written: new Set(),
      summary: null,
      buildPath: null,
      previewUrl: null,
    };
  }

  private stopWith(reason: StopReason): void {
    if (!this.stop.signal.aborted) this.stop.abort(reason);
  }

  async execute(): Promise<void> {
    const { deps, generation, run } = this;
    const unwatch = [deps.cancels.watch(generation.id, () => this.stopWith({ kind: 'cancel' }))];
    if (generation.cancelRequested) this.stopWith({ kind: 'cancel' });
    if (generation.cancelOnDisconnect && deps.presence) {
      unwatch.push(
        deps.presence.watch(generation.id, deps.settings.disconnectGraceMs, () =>
          this.stopWith({ kind: 'disconnect' }),
        ),
      );
    }
    const heartbeat = setInterval(() => void this.beat(), deps.settings.leaseMs / 3);
    let lock: WorkspaceLock | undefined;
    try {
      lock = await deps.workspaces.lock(generation.projectId, { signal: run.signal });
      await this.steps();
      await this.end('succeeded');
    } catch (err) {
      await this.fail(err);
    } finally {
      clearInterval(heartbeat);
      for (const off of unwatch) off();
      await lock?.release();
      run.publisher.close();
    }
  }

  private async steps(): Promise<void> {
    const { deps, generation, run } = this;
    await enterStep(run, 'workspace');
    run.dir = (await deps.workspaces.open(generation.projectId)).dir;
    // The project's next generation replaces its preview.
    await deps.previews.stop(generation.projectId);
    if (generation.files?.length) await writeFiles(run, generation.files);
    let conversation: ChatMessage[] | undefined;
    if (generation.kind === 'generate') conversation = await generateCode(run);
    await pubGet(run);
    let issues = await analyze(run, 0);
    const rounds = generation.kind === 'build' ? 0 : deps.settings.fixRounds;
    for (let round = 1; round <= rounds && errorsOf(issues).length; round++) {
      conversation ??= fixConversation(generation.prompt);
      conversation = await fixRound(run, conversation, issues, round);
      issues = await analyze(run, round);
    }
    const errors = errorsOf(issues).length;
    if (errors) {
      throw new GenerationFailure(
        'analysis_failed',
        `\`flutter analyze\` found ${errors} error${errors === 1 ? '' : 's'}`,
        'analyze',
      );
    }
    await buildWeb(run);
    if (generation.preview) await startPreview(run);
  }

  /** Renews the lease; stops the run when it was lost, or when a cancel was missed. */
  private async beat(): Promise<void> {
    try {
      const { held, cancelRequested } = await this.deps.store.heartbeat(
        this.generation.id,
        this.deps.workerId,
        this.deps.settings.leaseMs,
      );
      if (!held) this.stopWith({ kind: 'lease_lost' });
      else if (cancelRequested) this.stopWith({ kind: 'cancel' });
    } catch (err) {
      this.ctx.log.warn('heartbeat failed', { generation: this.generation.id, err });
    }
  }

  private stopReason(): StopReason | undefined {
    if (this.stop.signal.aborted) return this.stop.signal.reason as StopReason;
    if (this.ctx.signal.aborted) return { kind: 'interrupted', cause: this.ctx.signal.reason };
    return undefined;
  }

  private async fail(err: unknown): Promise<void> {
    const { ctx, generation, deps } = this;
    const reason = this.stopReason();
    if (reason?.kind === 'lease_lost') {
      ctx.log.warn('lost the generation to recovery; stopping', { generation: generation.id });
      return;
    }
    if (reason?.kind === 'cancel' || reason?.kind === 'disconnect') {
      await deps.previews.stop(generation.projectId);
      const message =
        reason.kind === 'cancel' ? 'Cancelled' : 'Cancelled: nobody was watching it any more';
      return this.end('cancelled', undefined, message);
    }
    if (reason?.kind === 'interrupted') {
      await deps.previews.stop(generation.projectId);
      const message = 'The worker stopped while it ran';
      await this.retryOrFail(new GenerationFailure('interrupted', message, this.run.step));
      throw reason.cause instanceof Error ? reason.cause : new Error(message);
    }
    const sorted = classify(err, this.run.step);
    if (!sorted.transient && sorted.failure.kind === 'disk_full') {
      // What the toolchain made goes, so the room comes back for the next job.
      await deps.workspaces
        .clean(generation.projectId)
        .catch((e) => ctx.log.warn('could not clean the workspace', { err: e }));
    }
    if (!sorted.transient) {
      if (sorted.failure.kind === 'internal') {
        ctx.log.error('generation failed', { err });
        deps.errors?.report(err, {
          tags: { job_id: ctx.jobId, queue: ctx.queue, generation_id: generation.id },
        });
      }
      return this.end('failed', sorted.failure);
    }
    const kind = err instanceof LlmError ? 'llm_failed' : 'internal';
    await this.retryOrFail(new GenerationFailure(kind, sorted.message, this.run.step));
    throw new Transient(sorted.message, { cause: err });
  }

  /** Requeues the generation when its job has attempts left (pg-boss retries it), else fails it. */
  private async retryOrFail(failure: GenerationFailure): Promise<void> {
    const { ctx, deps, generation } = this;
    if (ctx.retryCount >= ctx.retryLimit) return this.end('failed', failure);
    await this.run.publisher.settle().catch(() => {});
    const events: NewEvent[] = [
      {
        type: 'Error',
        data: { kind: failure.kind, message: failure.message, step: failure.step, retrying: true },
      },
      { type: 'Status', data: { status: 'queued', message: 'It will be tried again shortly' } },
    ];
    await deps.store.requeue(generation.id, deps.workerId, events);
  }

  /** Ends the generation with its Result (and why, when it did not succeed). */
  private async end(
    status: 'succeeded' | 'failed' | 'cancelled',
    failure?: GenerationFailure,
    message?: string,
  ): Promise<void> {
    const { deps, generation, run, ctx } = this;
    await run.publisher.settle().catch((err) => ctx.log.warn('events lost', { err }));
    const result: EventData['Result'] = {
      status,
      summary: run.summary,
      files: [...run.written],
      build: run.buildPath ? { path: run.buildPath } : null,
      preview: run.previewUrl ? { url: run.previewUrl } : null,
      duration_ms: Math.max(0, Math.round(ctx.clock.now() - this.startedAt)),
      output_bytes: run.publisher.outputBytes,
      error: failure?.message ?? null,
    };
    const events: NewEvent[] = [];
    if (failure) {
      const data: EventData['Error'] = { kind: failure.kind, message: failure.message };
      if (failure.step) data.step = failure.step;
      if (failure.tail) data.tail = failure.tail;
      events.push({ type: 'Error', data });
    }
    events.push({ type: 'Status', data: { status, ...(message ? { message } : {}) } });
    const note =
      status === 'succeeded' && run.summary
        ? { authorKind: 'assistant' as const, kind: 'text' as const, content: run.summary }
        : status === 'succeeded'
          ? null
          : {
              authorKind: 'system' as const,
              kind: 'event' as const,
              content: failure ? `Generation failed: ${failure.message}` : (message ?? 'Cancelled'),
            };
    const ended = await deps.store.finish(generation.id, deps.workerId, {
      status,
      result,
      error: failure?.message ?? null,
      events,
      message: note,
      keepGroups: Boolean(run.previewUrl) && status === 'succeeded',
    });
    if (run.previewUrl) deps.previews.detach(generation.projectId);
    if (!ended)
      ctx.log.warn('the generation was no longer ours to end', { generation: generation.id });
  }
}
