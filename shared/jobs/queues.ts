/**
 * Every job queue of the system, in one map: its name, the zod schema of its payload, the
 * pg-boss queue options, and how a job is sent. The API (Deno) enqueues with it and the worker
 * (Node) consumes with it, so both agree on names and payloads.
 *
 * Adding a queue: add an entry here, a migration that creates it with the same options
 * (`select pgboss.create_queue('<name>', '<options as JSON>'::jsonb)`, as in
 * 20261129002010_job_queues.sql), and its handler to the worker's map (worker/jobs/handlers.ts).
 * A test compares every entry with the migrated queue, and the worker brings a queue's
 * changeable options up to date at start-up; a policy cannot change once a queue exists.
 */
import type { Queue, SendOptions } from 'pg-boss';
import { z } from 'zod';

/** One queue: its payload and options, and the options each job is sent with. */
export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  payload: P;
  /** pg-boss's queue options, as `createQueue(name, options)` takes them. */
  queue: Omit<Queue, 'name'>;
  /** Per-job options derived from the payload (a job id, a singleton key). */
  sendOptions?: (payload: z.infer<P>) => Pick<SendOptions, 'id' | 'singletonKey' | 'priority'>;
  /** Jobs of this queue one worker runs at once; the worker's WORKER_CONCURRENCY when absent. */
  concurrency?: number;
}

/** Runs one code generation (`code_generations.id`); the job's id is the generation's. */
export const GenerationJob = z.strictObject({
  generation_id: z.uuid(),
  project_id: z.uuid(),
});
export type GenerationJob = z.infer<typeof GenerationJob>;

/**
 * The dead-letter queue of `generation`: jobs that failed every attempt, for operators (no
 * handler consumes it; pg-boss's redrive sends them back).
 */
export const GENERATION_DEAD_LETTER = 'generation.dead';

/** Applies stored webhook items (`private.whatsapp_intake` keys) in the worker. */
export const WhatsappIntakeJob = z.strictObject({
  keys: z.array(z.string().min(1).max(512)).min(1).max(1000),
});
export type WhatsappIntakeJob = z.infer<typeof WhatsappIntakeJob>;

/** Sends one queued outbound message (`crm_messages.id`); the job's id is the message's. */
export const WhatsappSendJob = z.strictObject({ message_id: z.uuid() });
export type WhatsappSendJob = z.infer<typeof WhatsappSendJob>;

/** Fetches an inbound message's media from the Graph API into Storage. */
export const WhatsappMediaJob = z.strictObject({ message_id: z.uuid() });
export type WhatsappMediaJob = z.infer<typeof WhatsappMediaJob>;

/** Removes a deleted client's files from Storage. */
export const CrmPurgeJob = z.strictObject({ project_id: z.uuid(), client_id: z.uuid() });
export type CrmPurgeJob = z.infer<typeof CrmPurgeJob>;

/** Runs one CSV import of clients (`crm_imports.id`); the job's id is the import's. */
export const CrmImportJob = z.strictObject({ import_id: z.uuid() });
export type CrmImportJob = z.infer<typeof CrmImportJob>;

/** The dead-letter queue of the WhatsApp and CRM queues: jobs that failed every attempt. */
export const WHATSAPP_DEAD_LETTER = 'whatsapp.dead';

/** Delivers one row of `private.mail_outbox` by SMTP; the job's id is derived from the row's. */
export const MailJob = z.strictObject({ outbox_id: z.number().int().positive() });
export type MailJob = z.infer<typeof MailJob>;

/**
 * The job id of an outbox row: a fixed UUID per row, so that sending its job again (every
 * worker's sweep finds the row until it is sent) is refused by pg-boss instead of mailing twice.
 */
export const mailJobId = (outboxId: number): string =>
  `00000000-0000-4000-8000-${outboxId.toString(16).padStart(12, '0')}`;

/** Types a definition by its payload schema (what `satisfies` alone cannot infer). */
const defineJob = <P extends z.ZodType>(def: JobDefinition<P>): JobDefinition<P> => def;

const definitions = {
  [GENERATION_DEAD_LETTER]: defineJob({
    payload: GenerationJob,
    queue: { policy: 'standard', retryLimit: 0, deleteAfterSeconds: 30 * 24 * 3600 },
  }),
  generation: defineJob({
    payload: GenerationJob,
    queue: {
      // One active job per singleton key, and the key is the project: never two generations
      // of one project at once, on any number of workers. Others of the project wait queued.
      policy: 'singleton',
      retryLimit: 2,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 120,
      // A job held longer than this is failed (and retried) by pg-boss's monitor.
      expireInSeconds: 3600,
      // A worker that stops heart-beating (killed, frozen) loses the job within this.
      heartbeatSeconds: 30,
      // Workers are woken by NOTIFY when a job is created, instead of at their next poll.
      notify: true,
      deadLetter: GENERATION_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    sendOptions: (p) => ({ id: p.generation_id, singletonKey: p.project_id }),
  }),
  // The CRM's queues (20261129003030_crm_queues.sql).
  [WHATSAPP_DEAD_LETTER]: defineJob({
    payload: z.record(z.string(), z.unknown()),
    queue: { policy: 'standard', retryLimit: 0, deleteAfterSeconds: 30 * 24 * 3600 },
  }),
  'whatsapp.intake': defineJob({
    payload: WhatsappIntakeJob,
    queue: {
      policy: 'standard',
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 300,
      expireInSeconds: 300,
      notify: true,
      deadLetter: WHATSAPP_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    // Short database work each; a burst of webhooks drains in parallel.
    concurrency: 8,
  }),
  'whatsapp.send': defineJob({
    payload: WhatsappSendJob,
    queue: {
      policy: 'standard',
      retryLimit: 3,
      retryDelay: 10,
      retryBackoff: true,
      retryDelayMax: 300,
      expireInSeconds: 900,
      notify: true,
      deadLetter: WHATSAPP_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    // One job per message: enqueueing it twice is a programming error, not a second send.
    sendOptions: (p) => ({ id: p.message_id }),
    concurrency: 4,
  }),
  'whatsapp.media': defineJob({
    payload: WhatsappMediaJob,
    queue: {
      policy: 'standard',
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
      retryDelayMax: 600,
      expireInSeconds: 900,
      notify: true,
      deadLetter: WHATSAPP_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    concurrency: 2,
  }),
  'crm.purge': defineJob({
    payload: CrmPurgeJob,
    queue: {
      policy: 'standard',
      retryLimit: 10,
      retryDelay: 30,
      retryBackoff: true,
      retryDelayMax: 3600,
      expireInSeconds: 900,
      notify: true,
      deadLetter: WHATSAPP_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    concurrency: 1,
  }),
  // 20261129004020_crm_imports.sql
  'crm.import': defineJob({
    payload: CrmImportJob,
    queue: {
      policy: 'standard',
      retryLimit: 2,
      retryDelay: 30,
      retryBackoff: true,
      retryDelayMax: 600,
      expireInSeconds: 1800,
      notify: true,
      deadLetter: WHATSAPP_DEAD_LETTER,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
    sendOptions: (p) => ({ id: p.import_id }),
    // One large import at a time per worker: each holds a transaction and a connection.
    concurrency: 1,
  }),
  mail: defineJob({
    payload: MailJob,
    queue: {
      policy: 'standard',
      // An SMTP server that is down for a while is waited out: 30 s, doubling, at most an
      // hour apart, about a day in all. A mail that fails every attempt stays unsent in the
      // outbox (with its attempts and last error); once pg-boss deletes the failed job, the
      // sweep sends it again, so no mail is dropped.
      retryLimit: 30,
      retryDelay: 30,
      retryBackoff: true,
      retryDelayMax: 3600,
      expireInSeconds: 300,
      notify: true,
      deleteAfterSeconds: 24 * 3600,
    },
    sendOptions: (p) => ({ id: mailJobId(p.outbox_id) }),
    // Mail is rare and each send short: one at a time.
    concurrency: 1,
  }),
};

export const JOBS: { readonly [N in JobName]: (typeof definitions)[N] } = definitions;

export type JobName = keyof typeof definitions;

/** The payload type of a queue: `JobPayload<'generation'>`. */
export type JobPayload<N extends JobName> = z.infer<(typeof definitions)[N]['payload']>;

/** Queue names in the order they must be created (a dead-letter queue before its user). */
export const JOB_NAMES = Object.keys(definitions) as JobName[];

/** The schema pg-boss is installed in (20261129002000_pgboss.sql). */
export const JOBS_SCHEMA = 'pgboss';
