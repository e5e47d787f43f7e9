import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';

/** The `admin` function: roles, permissions, assignments and app clients. */
export function buildAdminApp(deps: FunctionDeps): App {
  return createApp({
    name: 'admin',
    title: 'Admin',
    description: 'Roles and their hierarchy, permissions, role assignments and app clients.',
    ...baseOptions(deps),
  });
}
