/**
 * The events of a generation: one schema for the worker that writes them, the API that
 * replays and streams them, and every client that receives them on the Realtime channel
 * `generation:<id>` (the broadcast event name is the `type`).
 *
 * Every event has the generation's id, a `seq` (1, 2, 3… per generation, no gaps), its own
 * `id`, the time it was appended (`at`) and a `data` object whose shape its `type` decides.
 * What a subscriber receives, what `GET /generations/{id}/events` replays and what the SSE
 * stream sends are the same JSON value.
 */
import { z } from '@hono/zod-openapi';

export const EVENT_TYPES = [
  'Status',
  'Output',
  'Text',
  'Code',
  'Chat',
  'Error',
  'AnalysisError',
  'Result',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const GenerationStatus = z
  .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .openapi('GenerationStatus');
export type GenerationStatus = z.infer<typeof GenerationStatus>;

/** Statuses a generation never leaves. */
export const TERMINAL_STATUSES: readonly GenerationStatus[] = ['succeeded', 'failed', 'cancelled'];

/** The steps of a run, in the order they happen. */
export const Step = z
  .enum(['workspace', 'generate', 'pub_get', 'analyze', 'fix', 'build', 'preview'])
  .openapi('GenerationStep');
export type Step = z.infer<typeof Step>;

/** Why a generation failed, for clients to act on without parsing messages. */
export const ErrorKind = z
  .enum([
    'llm_failed',
    'invalid_reply',
    'path_refused',
    'step_failed',
    'timeout',
    'analysis_failed',
    'build_failed',
    'preview_failed',
    'disk_full',
    'interrupted',
    'worker_lost',
    'internal',
  ])
  .openapi('GenerationErrorKind');
export type ErrorKind = z.infer<typeof ErrorKind>;

export const StatusData = z.object({
  status: GenerationStatus,
  step: Step.optional(),
  message: z.string().optional(),
  /** 1 for the first attempt; higher after a retry. */
  attempt: z.number().int().positive().optional(),
});

export const OutputData = z.object({
  step: Step,
  /** Terminal output as the toolchain printed it (colours included). */
  text: z.string(),
  /** Bytes printed before `text` that were not streamed (the toolchain outran the stream). */
  skipped_bytes: z.number().int().nonnegative().optional(),
  /** Set on the marker after which this generation streams no more output. */
  cut: z.boolean().optional(),
});

export const TextData = z.object({ text: z.string() });

export const CodeData = z.object({
  path: z.string(),
  content: z.string(),
  /** The file's size in UTF-8 bytes; larger than `content` when `truncated`. */
  bytes: z.number().int().nonnegative(),
  truncated: z.boolean().optional(),
});

export const ChatData = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  /** The message it was saved as in the project's history. */
  message_id: z.uuid().optional(),
});

export const ErrorData = z.object({
  kind: ErrorKind,
  message: z.string(),
  step: Step.optional(),
  /** True when the generation will be tried again. */
  retrying: z.boolean().optional(),
  /** The last lines of the step's output, for the error report. */
  tail: z.string().optional(),
});

export const AnalysisErrorData = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  code: z.string(),
  /** 0 for the first analysis, 1… for each fix round after it. */
  round: z.number().int().nonnegative(),
});

export const ResultData = z.object({
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  /** The assistant's summary of what it did, when it got that far. */
  summary: z.string().nullable(),
  /** Paths written in the workspace during this generation. */
  files: z.array(z.string()),
  /** The web build, relative to the workspace. */
  build: z.object({ path: z.string() }).nullable(),
  preview: z.object({ url: z.string() }).nullable(),
  duration_ms: z.number().int().nonnegative(),
  /** Output bytes the toolchain printed, streamed or not. */
  output_bytes: z.number().int().nonnegative(),
  error: z.string().nullable().optional(),
});

const base = {
  id: z.uuid(),
  generation_id: z.uuid(),
  seq: z.number().int().positive(),
  at: z.string(),
};

const event = <T extends EventType, D extends z.ZodType>(type: T, data: D) =>
  z.object({ ...base, type: z.literal(type), data });

export const GenerationEvent = z
  .discriminatedUnion('type', [
    event('Status', StatusData),
    event('Output', OutputData),
    event('Text', TextData),
    event('Code', CodeData),
    event('Chat', ChatData),
    event('Error', ErrorData),
    event('AnalysisError', AnalysisErrorData),
    event('Result', ResultData),
  ])
  .openapi('GenerationEvent');
export type GenerationEvent = z.infer<typeof GenerationEvent>;

/** The `data` of each event type, for writers. */
export interface EventData {
  Status: z.infer<typeof StatusData>;
  Output: z.infer<typeof OutputData>;
  Text: z.infer<typeof TextData>;
  Code: z.infer<typeof CodeData>;
  Chat: z.infer<typeof ChatData>;
  Error: z.infer<typeof ErrorData>;
  AnalysisError: z.infer<typeof AnalysisErrorData>;
  Result: z.infer<typeof ResultData>;
}

/** The schema of each type's `data`, to check what a writer is about to append. */
export const EVENT_DATA: { [T in EventType]: z.ZodType<EventData[T]> } = {
  Status: StatusData,
  Output: OutputData,
  Text: TextData,
  Code: CodeData,
  Chat: ChatData,
  Error: ErrorData,
  AnalysisError: AnalysisErrorData,
  Result: ResultData,
};

/** The Realtime channel a generation's events are broadcast on (private). */
export const generationTopic = (generationId: string): string => `generation:${generationId}`;

/** Events per generation, and how many of them streamed types (output, text…) may take. */
export const EVENT_CAP = 2000;
export const STREAMED_EVENT_CAP = 1900;
