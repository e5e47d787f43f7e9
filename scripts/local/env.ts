import { z } from 'zod';
import { csv, encryptionKey, logLevel, postgresUrl } from '../../shared/config.ts';
import {
  DEMO_ANON_KEY,
  DEMO_CRM_ENCRYPTION_KEY,
  DEMO_CURSOR_SECRET,
  DEMO_JWT_SECRET,
  DEMO_SERVICE_ROLE_KEY,
  DEMO_TOKEN_KEYS_SECRET,
} from './keys.ts';

const port = z.coerce.number().int().min(1).max(65535);

/**
 * The local stack's environment. Everything has a default that matches `supabase start`,
 * so a fresh clone runs with no `.env` at all.
 */
export const localEnvSchema = z
  .object({
    /** Use this PostgreSQL instead of starting the embedded one. */
    DATABASE_URL: postgresUrl.optional(),
    GATEWAY_PORT: port.default(54321),
    DB_PORT: port.default(54322),
    LOCAL_DATA_DIR: z.string().default('.local'),
    JWT_SECRET: z
      .string()
      .min(32, { message: 'must be at least 32 characters' })
      .default(DEMO_JWT_SECRET),
    CURSOR_SECRET: z
      .string()
      .min(32, { message: 'must be at least 32 characters' })
      .default(DEMO_CURSOR_SECRET),
    TOKEN_KEYS_SECRET: z
      .string()
      .min(32, { message: 'must be at least 32 characters' })
      .default(DEMO_TOKEN_KEYS_SECRET),
    ANON_KEY: z.string().min(20).default(DEMO_ANON_KEY),
    SERVICE_ROLE_KEY: z.string().min(20).default(DEMO_SERVICE_ROLE_KEY),
    CORS_ORIGINS: csv.default(['*']),
    /** The first admin, created at start-up when nobody holds the admin role. */
    INITIAL_ADMIN_EMAIL: z.email().optional(),
    INITIAL_ADMIN_PASSWORD: z
      .string()
      .min(8, { message: 'must be at least 8 characters' })
      .optional(),
    /** Admin routes need aal2; off locally so a new laptop needs no authenticator app. */
    ADMIN_MFA_REQUIRED: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    LOG_LEVEL: logLevel,
    /** Signs the Graph API emulator's webhooks; the whatsapp function verifies with it. */
    WHATSAPP_APP_SECRET: z.string().min(1).default('local-whatsapp-app-secret'),
    /** What Meta's handshake must present (`hub.verify_token`) to the local webhook. */
    WHATSAPP_VERIFY_TOKEN: z.string().min(1).default('local-whatsapp-verify-token'),
    /** Seals channels' access tokens; the functions and the worker share it. */
    CRM_ENCRYPTION_KEY: encryptionKey.default(DEMO_CRM_ENCRYPTION_KEY),
    /** The worker's `/health` and `/metrics` (when the stack starts the worker). */
    WORKER_PORT: port.default(54330),
  })
  .refine((env) => Boolean(env.INITIAL_ADMIN_EMAIL) === Boolean(env.INITIAL_ADMIN_PASSWORD), {
    message: 'set both INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD, or neither',
    path: ['INITIAL_ADMIN_PASSWORD'],
  });

export type LocalEnv = z.infer<typeof localEnvSchema>;
