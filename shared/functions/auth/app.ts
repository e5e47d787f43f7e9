import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../deps.ts';

/** The `auth` function: sign-up, sign-in and sessions over Supabase Auth; app-client tokens. */
export function buildAuthApp(deps: FunctionDeps): App {
  return createApp({
    name: 'auth',
    title: 'Auth',
    description:
      'Registration, sign-in, sessions, password and MFA flows over Supabase Auth, and ' +
      'client-credentials tokens for app clients.',
    ...baseOptions(deps),
  });
}
