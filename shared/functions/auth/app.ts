import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../deps.ts';
import { registerLogin } from './routes/login.ts';
import { registerLogout } from './routes/logout.ts';
import { registerRefresh } from './routes/refresh.ts';
import { registerRegister } from './routes/register.ts';

/** The `auth` function: sign-up, sign-in and sessions over Supabase Auth; app-client tokens. */
export function buildAuthApp(deps: FunctionDeps): App {
  const app = createApp({
    name: 'auth',
    title: 'Auth',
    description:
      'Registration, sign-in, sessions, password and MFA flows over Supabase Auth, and ' +
      'client-credentials tokens for app clients.',
    ...baseOptions(deps),
  });
  registerRegister(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  return app;
}
