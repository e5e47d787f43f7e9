import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';
import { registerAuditLog } from './routes/audit-log.ts';
import { registerCrmRoutes } from './routes/crm.ts';
import { CRM_LARGE_BODIES, registerCrmRecordRoutes } from './routes/crm-records.ts';
import { registerGenerationsCancel } from './routes/generations-cancel.ts';
import { registerGenerationsCreate } from './routes/generations-create.ts';
import { registerGenerationsEvents } from './routes/generations-events.ts';
import { registerGenerationsGet } from './routes/generations-get.ts';
import { registerGenerationsList } from './routes/generations-list.ts';
import { registerGenerationsStream } from './routes/generations-stream.ts';
import { registerMembersAdd } from './routes/members-add.ts';
import { registerMembersList } from './routes/members-list.ts';
import { registerMembersRemove } from './routes/members-remove.ts';
import { registerMembersUpdate } from './routes/members-update.ts';
import { registerMessagesCreate } from './routes/messages-create.ts';
import { registerMessagesList } from './routes/messages-list.ts';
import { registerProjectsCreate } from './routes/projects-create.ts';
import { registerProjectsDelete } from './routes/projects-delete.ts';
import { registerProjectsGet } from './routes/projects-get.ts';
import { registerProjectsList } from './routes/projects-list.ts';
import { registerProjectsTransfer } from './routes/projects-transfer.ts';
import { registerProjectsUpdate } from './routes/projects-update.ts';
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
    largeBodies: CRM_LARGE_BODIES,
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
  registerProjectsCreate(app);
  registerProjectsList(app);
  registerProjectsGet(app);
  registerProjectsUpdate(app);
  registerProjectsDelete(app);
  registerProjectsTransfer(app);
  registerMembersList(app);
  registerMembersAdd(app);
  registerMembersUpdate(app);
  registerMembersRemove(app);
  registerMessagesList(app);
  registerMessagesCreate(app);
  registerGenerationsCreate(app);
  registerGenerationsList(app);
  registerGenerationsGet(app);
  registerGenerationsEvents(app);
  registerGenerationsStream(app);
  registerGenerationsCancel(app);
  registerCrmRoutes(app);
  registerCrmRecordRoutes(app);
  return app;
}
