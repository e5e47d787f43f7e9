import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../deps.ts';
import { registerAuditLog } from './routes/audit-log.ts';
import { registerSessionsDelete } from './routes/sessions-delete.ts';
import { registerSessionsDeleteOthers } from './routes/sessions-delete-others.ts';
import { registerSessionsList } from './routes/sessions-list.ts';
import { registerUsersDelete } from './routes/users-delete.ts';
import { registerUsersGet } from './routes/users-get.ts';
import { registerUsersList } from './routes/users-list.ts';
import { registerUsersMeGet } from './routes/users-me-get.ts';
import { registerUsersMeUpdate } from './routes/users-me-update.ts';
import { registerUsersUpdate } from './routes/users-update.ts';

/** The `api` function: users, sessions, projects, generations, CRM. JWT required. */
export function buildApiApp(deps: FunctionDeps): App {
  const app = createApp({
    name: 'api',
    title: 'API',
    description: 'Users, sessions, projects and sharing, code generations and the client CRM.',
    ...baseOptions(deps),
  });
  // `/users/me` before `/users/{id}`, so `me` is never read as an id.
  registerUsersMeGet(app);
  registerUsersMeUpdate(app);
  registerUsersList(app);
  registerUsersGet(app);
  registerUsersUpdate(app);
  registerUsersDelete(app);
  registerSessionsList(app);
  registerSessionsDeleteOthers(app);
  registerSessionsDelete(app);
  registerAuditLog(app);
  return app;
}
