import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { DEMO_CRM_ENCRYPTION_KEY } from '../../../scripts/local/keys.ts';
import { type FunctionsHarness, useFunctions } from '../../helpers/functions.ts';
import { PASSWORD } from '../../helpers/people.ts';

/**
 * The functions with auto-confirmed sign-ups and no per-IP limits (every test calls from one
 * IP), configured as deployed: the CRM can seal channel tokens and the webhook has its secrets.
 */
export function useApi(): FunctionsHarness {
  return useFunctions(
    { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
    {
      AUTH_RATE_LIMIT_PER_IP: 0,
      CRM_ENCRYPTION_KEY: DEMO_CRM_ENCRYPTION_KEY,
      WHATSAPP_APP_SECRET: 'api-test-app-secret',
      WHATSAPP_VERIFY_TOKEN: 'api-test-verify-token',
    },
  );
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
  sessionId: string;
}

const sessionIdOf = (token: string): string => decodeJwt(token).session_id as string;

/** Helpers over one harness: users signed up through Auth, admins made in SQL. */
export function fixtures(fx: FunctionsHarness) {
  async function signIn(email: string): Promise<TestUser> {
    const { data, error } = await fx.auth
      .client()
      .auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    const session = data.session!;
    return {
      id: data.user!.id,
      email,
      token: session.access_token,
      refreshToken: session.refresh_token,
      sessionId: sessionIdOf(session.access_token),
    };
  }

  async function signUp(opts: { username?: string; email?: string } = {}): Promise<TestUser> {
    const email = opts.email ?? `u-${randomUUID().slice(0, 12)}@example.com`;
    const { data, error } = await fx.auth.client().auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { username: opts.username } },
    });
    expect(error).toBeNull();
    const session = data.session!;
    return {
      id: data.user!.id,
      email,
      token: session.access_token,
      refreshToken: session.refresh_token,
      sessionId: sessionIdOf(session.access_token),
    };
  }

  /** Grants `admin` in SQL and signs in again, so the token hook adds its permissions. */
  async function admin(): Promise<TestUser> {
    const user = await signUp();
    await fx.auth.db.sql`
      insert into public.user_roles (user_id, role_id)
      select ${user.id}, id from public.roles where name = 'admin'`;
    return signIn(user.email);
  }

  /** Calls the api function and returns status and parsed body. */
  async function api(path: string, init: { token?: string; method?: string; json?: unknown } = {}) {
    const res = await fx.call('api', path, init);
    const text = await res.text();
    // An event stream is returned as its text.
    const json = !(res.headers.get('content-type') ?? '').includes('text/event-stream');
    const body = text && json ? JSON.parse(text) : text || undefined;
    return { status: res.status, body, headers: res.headers };
  }

  return { signIn, signUp, admin, api };
}
