import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';

export const CONFIG_TOML = fileURLToPath(new URL('../../../supabase/config.toml', import.meta.url));

/** The Supabase Auth settings the emulator honours, named as in GoTrue. */
export interface AuthSettings {
  /** The public base URL of the Auth API, e.g. http://127.0.0.1:54321/auth/v1 (the `iss`). */
  externalUrl: string;
  siteUrl: string;
  redirectUrls: string[];
  jwtExpiry: number;
  jwtSecret: string;
  signingKeysPath?: string;
  disableSignup: boolean;
  autoconfirm: boolean;
  passwordMinLength: number;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  otpExpiry: number;
  otpLength: number;
  /** Requests per 5 minutes per IP, by GoTrue's buckets. */
  rateLimits: { signInSignUps: number; tokenRefresh: number; verify: number; emailSent: number };
  /** `pg-functions://postgres/<schema>/<function>` when the hook is enabled. */
  customAccessTokenHook?: string;
  mfaMaxFactors: number;
}

type Table = Record<string, unknown>;
const table = (v: unknown): Table => (v && typeof v === 'object' ? (v as Table) : {});

/**
 * Reads `[auth]` from supabase/config.toml (the same keys the Supabase CLI reads), then
 * lets GoTrue's own environment variable names override them.
 */
export function loadAuthSettings(opts: {
  externalUrl: string;
  jwtSecret: string;
  configPath?: string;
  env?: Record<string, string | undefined>;
}): AuthSettings {
  const configPath = opts.configPath ?? CONFIG_TOML;
  const auth = table(table(parse(readFileSync(configPath, 'utf8'))).auth);
  const email = table(auth.email);
  const rate = table(auth.rate_limit);
  const hook = table(table(auth.hook).custom_access_token);
  const env = opts.env ?? {};
  const num = (name: string, fallback: unknown) =>
    env[name] ? Number(env[name]) : Number(fallback);
  const bool = (name: string, fallback: unknown) =>
    env[name] !== undefined && env[name] !== '' ? env[name] === 'true' : Boolean(fallback);
  const keysPath = typeof auth.signing_keys_path === 'string' ? auth.signing_keys_path : undefined;

  return {
    externalUrl: opts.externalUrl.replace(/\/$/, ''),
    siteUrl: env.GOTRUE_SITE_URL || String(auth.site_url ?? 'http://127.0.0.1:3000'),
    redirectUrls: (auth.additional_redirect_urls as string[] | undefined) ?? [],
    jwtExpiry: num('GOTRUE_JWT_EXP', auth.jwt_expiry ?? 3600),
    jwtSecret: opts.jwtSecret,
    signingKeysPath: keysPath && resolve(dirname(configPath), keysPath),
    disableSignup: bool('GOTRUE_DISABLE_SIGNUP', auth.enable_signup === false),
    autoconfirm: bool('GOTRUE_MAILER_AUTOCONFIRM', email.enable_confirmations === false),
    passwordMinLength: num('GOTRUE_PASSWORD_MIN_LENGTH', auth.minimum_password_length ?? 6),
    refreshTokenRotation: bool(
      'GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED',
      auth.enable_refresh_token_rotation ?? true,
    ),
    refreshTokenReuseInterval: num(
      'GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL',
      auth.refresh_token_reuse_interval ?? 10,
    ),
    otpExpiry: num('GOTRUE_MAILER_OTP_EXP', email.otp_expiry ?? 3600),
    otpLength: num('GOTRUE_MAILER_OTP_LENGTH', email.otp_length ?? 6),
    rateLimits: {
      signInSignUps: num('GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS', rate.sign_in_sign_ups ?? 30),
      tokenRefresh: num('GOTRUE_RATE_LIMIT_TOKEN_REFRESH', rate.token_refresh ?? 150),
      verify: num('GOTRUE_RATE_LIMIT_VERIFY', rate.token_verifications ?? 30),
      emailSent: num('GOTRUE_RATE_LIMIT_EMAIL_SENT', rate.email_sent ?? 30),
    },
    customAccessTokenHook:
      env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI ||
      (hook.enabled === true && typeof hook.uri === 'string' ? hook.uri : undefined),
    mfaMaxFactors: Number(table(auth.mfa).max_enrolled_factors ?? 10),
  };
}
