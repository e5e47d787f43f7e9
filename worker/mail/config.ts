import { z } from 'zod';

/**
 * The worker's mail settings. Without SMTP_URL the worker delivers nothing: mail stays in
 * `private.mail_outbox` until a worker that has one runs.
 */
export const mailEnvSchema = z.object({
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`. */
  SMTP_URL: z
    .url({ message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@host:587' })
    .refine((u) => /^smtps?:\/\//i.test(u), { message: 'must start with smtp:// or smtps://' })
    .optional(),
  /** The From header of every mail. */
  MAIL_FROM: z.string().min(3).default('Flutter Studio <no-reply@localhost>'),
  /** How often the outbox is looked for unsent mail. */
  MAIL_SWEEP_INTERVAL_S: z.coerce.number().positive().default(10),
});
export type MailEnv = z.infer<typeof mailEnvSchema>;
