import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { type HookSettings, readHooks } from './hook-settings.ts';
import { readRequiredCharacters, requiredCharactersFor } from './password-rules.ts';

export const CONFIG_TOML = fileURLToPath(new URL('../../../supabase/config.toml', import.meta.url));

/** GoTrue's floor: a configured minimum below 6 is raised to 6. */
const MIN_PASSWORD_LENGTH = 6;

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
  anonymousSignIns: boolean;
  passwordMinLength: number;
  /** Character sets a password must each hit at least once (GOTRUE_PASSWORD_REQUIRED_CHARACTERS). */
  passwordRequiredCharacters: string[];
  /**
   * Refuse weak and well-known passwords (reason `pwned`). GoTrue asks Have I Been Pwned
   * (GOTRUE_PASSWORD_HIBP_ENABLED); offline, the emulator estimates strength instead.
   */
  passwordHibpEnabled: boolean;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  otpExpiry: number;
  otpLength: number;
  /**
   * GoTrue's limits: per IP over 5 minutes, except email (per hour, global) and MFA (per
   * minute). 0 turns a limit off (an emulator convenience for tests from one address).
   */
  rateLimits: {
    otp: number;
    tokenRefresh: number;
    verify: number;
    emailSent: number;
    anonymousUsers: number;
    mfaChallengeAndVerify: number;
    sso: number;
    web3: number;
    oauthClientRegister: number;
  };
  /** Enabled hooks only, each a `pg-functions://postgres/<schema>/<function>` URI. */
  hooks: HookSettings;
  mfaMaxFactors: number;
  /** The OAuth 2.1 server (`[auth.oauth_server]`); only its admin client API is emulated. */
  oauthServer: { enabled: boolean; allowDynamicRegistration: boolean };
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
  const oauthServer = table(auth.oauth_server);
  const env = opts.env ?? {};
  const num = (name: string, fallback: unknown) =>
    env[name] ? Number(env[name]) : Number(fallback);
  const bool = (name: string, fallback: unknown) =>
    env[name] !== undefined && env[name] !== '' ? env[name] === 'true' : Boolean(fallback);
  const keysPath = typeof auth.signing_keys_path === 'string' ? auth.signing_keys_path : undefined;
  const legacySignIns = env.GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS || undefined;
  const requirements =
    typeof auth.password_requirements === 'string' ? auth.password_requirements : '';

  return {
    externalUrl: opts.externalUrl.replace(/\/$/, ''),
    siteUrl: env.GOTRUE_SITE_URL || String(auth.site_url ?? 'http://127.0.0.1:3000'),
    redirectUrls: (auth.additional_redirect_urls as string[] | undefined) ?? [],
    jwtExpiry: num('GOTRUE_JWT_EXP', auth.jwt_expiry ?? 3600),
    jwtSecret: opts.jwtSecret,
    signingKeysPath: keysPath && resolve(dirname(configPath), keysPath),
    disableSignup: bool('GOTRUE_DISABLE_SIGNUP', auth.enable_signup === false),
    autoconfirm: bool('GOTRUE_MAILER_AUTOCONFIRM', email.enable_confirmations === false),
    anonymousSignIns: bool(
      'GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED',
      auth.enable_anonymous_sign_ins === true,
    ),
    passwordMinLength: Math.max(
      MIN_PASSWORD_LENGTH,
      num('GOTRUE_PASSWORD_MIN_LENGTH', auth.minimum_password_length ?? 6),
    ),
    passwordRequiredCharacters:
      env.GOTRUE_PASSWORD_REQUIRED_CHARACTERS !== undefined
        ? readRequiredCharacters(env.GOTRUE_PASSWORD_REQUIRED_CHARACTERS)
        : requiredCharactersFor(requirements),
    passwordHibpEnabled: bool('GOTRUE_PASSWORD_HIBP_ENABLED', true),
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
    // The CLI passes `sign_in_sign_ups` to GoTrue as GOTRUE_RATE_LIMIT_OTP.
    // GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS is this emulator's older name for "sign-ups and
    // sign-ins", still honoured: it sets the OTP family and the /token limit together.
    rateLimits: {
      otp: num('GOTRUE_RATE_LIMIT_OTP', legacySignIns ?? rate.sign_in_sign_ups ?? 30),
      tokenRefresh: num(
        'GOTRUE_RATE_LIMIT_TOKEN_REFRESH',
        legacySignIns ?? rate.token_refresh ?? 150,
      ),
      verify: num('GOTRUE_RATE_LIMIT_VERIFY', rate.token_verifications ?? 30),
      emailSent: num('GOTRUE_RATE_LIMIT_EMAIL_SENT', rate.email_sent ?? 30),
      anonymousUsers: num('GOTRUE_RATE_LIMIT_ANONYMOUS_USERS', rate.anonymous_users ?? 30),
      mfaChallengeAndVerify: num('GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY', 15),
      sso: num('GOTRUE_RATE_LIMIT_SSO', 30),
      web3: num('GOTRUE_RATE_LIMIT_WEB3', rate.web3 ?? 30),
      oauthClientRegister: num('GOTRUE_RATE_LIMIT_OAUTH_DYNAMIC_CLIENT_REGISTER', 10),
    },
    hooks: readHooks(table(auth.hook), env),
    mfaMaxFactors: Number(table(auth.mfa).max_enrolled_factors ?? 10),
    oauthServer: {
      enabled: bool('GOTRUE_OAUTH_SERVER_ENABLED', oauthServer.enabled === true),
      allowDynamicRegistration: bool(
        'GOTRUE_OAUTH_SERVER_ALLOW_DYNAMIC_REGISTRATION',
        oauthServer.allow_dynamic_registration === true,
      ),
    },
  };
}
