import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../deps.ts';

/** The `api` function: users, sessions, projects, generations, CRM. JWT required. */
export function buildApiApp(deps: FunctionDeps): App {
  return createApp({
    name: 'api',
    title: 'API',
    description: 'Users, sessions, projects and sharing, code generations and the client CRM.',
    ...baseOptions(deps),
  });
}
