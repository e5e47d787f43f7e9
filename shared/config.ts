import { z } from 'zod';

/** Thrown when the environment does not parse; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses an environment once, at an entry point. Empty strings count as missing, so an
 * `.env` line like `FOO=` falls back to the default instead of failing later.
 *
 * @example
 * const config = parseEnv(functionEnvSchema, Deno.env.toObject());
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return `  ${name}: ${missing ? 'is required but not set' : issue.message}`;
  });
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}

/** A postgres:// or postgresql:// connection string. */
export const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    message: 'must be a postgres:// connection URL',
  });

export const logLevel = z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info');

/** 32 bytes, base64 or base64url: an AES-256 key. */
export const encryptionKey = z.string().refine(
  (v) => {
    if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) return false;
    try {
      return atob(v.replace(/=$/, '').replace(/-/g, '+').replace(/_/g, '/')).length === 32;
    } catch {
      return false;
    }
  },
  { message: 'must be 32 bytes, base64 (openssl rand -base64 32)' },
);

/** Comma-separated list, trimmed, empties dropped. */
export const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * What every Edge Function needs. Supabase injects the first four into every function; the
 * rest have production-safe defaults.
 */
export const functionEnvSchema = z.object({
  SUPABASE_URL: z.url({ message: 'must be an http(s) URL' }),
  SUPABASE_ANON_KEY: z.string().min(20, { message: 'must be the project anon key' }),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20, { message: 'must be the service-role key' }),
  SUPABASE_DB_URL: postgresUrl,
  CORS_ORIGINS: csv.default(['*']),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  LOG_LEVEL: logLevel,
  /** Where unhandled errors are reported (Sentry); without it nothing is sent anywhere. */
  SENTRY_DSN: z.url({ message: 'must be a Sentry DSN URL' }).optional(),
  SENTRY_ENVIRONMENT: z.string().min(1).max(64).default('production'),
  /** Connections each function instance may hold; requests queue for them beyond that. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Prepared statements: `auto` uses them unless `SUPABASE_DB_URL` is a transaction-mode
   * pooler (port 6543). Set `false` for another pooler in transaction mode.
   */
  DB_PREPARE: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .transform((v) => (v === 'auto' ? undefined : v === 'true')),
  /**
   * Signs list cursors. Its own secret, so rotating an API key leaves cursors alone (and
   * rotating this one only sends clients back to the first page).
   */
  CURSOR_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }),
  /**
   * Seals the private halves of the keys that sign app-client tokens, which live in the
   * database (`private.app_signing_keys`). Changing it makes the stored keys unusable: rotate
   * the signing key (`POST /admin/signing-keys/rotate`) under the new secret.
   */
  TOKEN_KEYS_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }),
  /** Legacy HS256 secret; set it while the project still signs tokens with it. */
  SUPABASE_JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** Per-IP and per-account limits on sign-in, sign-up, magic link, reset and resend. */
  AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  AUTH_RATE_LIMIT_PER_IP: z.coerce.number().int().nonnegative().default(30),
  AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().nonnegative().default(10),
  /**
   * Routes that use administrative permissions need a session verified with a second factor
   * (aal2). On by default; the local stack turns it off so a new laptop needs no authenticator.
   */
  ADMIN_MFA_REQUIRED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Failed logins for one account from one IP before it locks, and how long (doubling). */
  LOCKOUT_THRESHOLD: z.coerce.number().int().positive().default(5),
  LOCKOUT_BASE_SECONDS: z.coerce.number().int().positive().default(30),
  LOCKOUT_MAX_SECONDS: z.coerce.number().int().positive().default(3600),
  /**
   * The first admin, made by the auth function at start-up when nobody holds the admin role.
   * Set both, deploy once, then unset them.
   */
  INITIAL_ADMIN_EMAIL: z.email().optional(),
  INITIAL_ADMIN_PASSWORD: z
    .string()
    .min(8, { message: 'must be at least 8 characters' })
    .optional(),
  /**
   * The Meta app's secret (App settings → Basic): the whatsapp function verifies every
   * delivery's X-Hub-Signature-256 with it, and refuses all of them (503) without it.
   */
  WHATSAPP_APP_SECRET: z.string().min(1).optional(),
  /** What Meta's subscription handshake must present as `hub.verify_token`. */
  WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
  /** Unsigned or forged webhook requests per address per minute before 429; 0: no limit. */
  WHATSAPP_UNSIGNED_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(30),
  /**
   * Seals WhatsApp channels' access tokens (AES-256-GCM): 32 random bytes, base64
   * (`openssl rand -base64 32`). The worker opens them with the same key.
   */
  CRM_ENCRYPTION_KEY: encryptionKey.optional(),
});

export type FunctionConfig = z.infer<typeof functionEnvSchema>;
