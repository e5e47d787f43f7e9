import type { ErrorKind, Step } from '../../shared/generations/events.ts';
import { LlmError } from '../llm/errors.ts';
import { LlmReplyError } from '../llm/protocol.ts';
import { WorkspacePathError } from '../workspace/paths.ts';
import { isNoSpace } from '../workspace/space.ts';

/** A generation that cannot succeed: it ends `failed` with this kind and message. */
export class GenerationFailure extends Error {
  override name = 'GenerationFailure';
  readonly kind: ErrorKind;
  readonly step?: Step;
  readonly tail?: string;

  constructor(kind: ErrorKind, message: string, step?: Step, tail?: string) {
    super(message);
    this.kind = kind;
    this.step = step;
    this.tail = tail;
  }
}

/** Why a run was stopped from outside its steps. */
export type StopReason =
  | { kind: 'cancel' }
  | { kind: 'disconnect' }
  | { kind: 'lease_lost' }
  | { kind: 'interrupted'; cause: unknown };

/** What ending a run as failed should say, or that it is worth another attempt. */
export type Classified =
  | { transient: false; failure: GenerationFailure }
  | { transient: true; message: string };

const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
]);

/**
 * Sorts an error thrown by a step: the model or the database being unavailable is transient
 * (the job is retried with backoff); a refused path, an unreadable reply or anything else
 * ends the generation.
 */
export function classify(err: unknown, step?: Step): Classified {
  if (err instanceof GenerationFailure) return { transient: false, failure: err };
  if (err instanceof LlmError) {
    if (err.retryable)
      return { transient: true, message: `The model is unavailable: ${err.message}` };
    return { transient: false, failure: new GenerationFailure('llm_failed', err.message, step) };
  }
  if (err instanceof LlmReplyError) {
    return { transient: false, failure: new GenerationFailure('invalid_reply', err.message, step) };
  }
  if (isNoSpace(err)) {
    const message = 'No space left for workspaces: the disk is full';
    return { transient: false, failure: new GenerationFailure('disk_full', message, step) };
  }
  if (err instanceof WorkspacePathError) {
    return { transient: false, failure: new GenerationFailure('path_refused', err.message, step) };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^(08|53|57)/.test(code))) {
    return { transient: true, message: 'The database was unavailable' };
  }
  return {
    transient: false,
    failure: new GenerationFailure('internal', 'The worker failed unexpectedly', step),
  };
}
