import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';
import { registerAppClientRolesAdd } from './routes/app-client-roles-add.ts';
import { registerAppClientRolesList } from './routes/app-client-roles-list.ts';
import { registerAppClientRolesRemove } from './routes/app-client-roles-remove.ts';
import { registerAppClientsCreate } from './routes/app-clients-create.ts';
import { registerAppClientsDelete } from './routes/app-clients-delete.ts';
import { registerAppClientsDisable } from './routes/app-clients-disable.ts';
import { registerAppClientsGet } from './routes/app-clients-get.ts';
import { registerAppClientsList } from './routes/app-clients-list.ts';
import { registerAppClientsRotate } from './routes/app-clients-rotate.ts';
import { registerAppClientsUpdate } from './routes/app-clients-update.ts';
import { registerPermissionsCreate } from './routes/permissions-create.ts';
import { registerPermissionsDelete } from './routes/permissions-delete.ts';
import { registerPermissionsGet } from './routes/permissions-get.ts';
import { registerPermissionsList } from './routes/permissions-list.ts';
import { registerPermissionsUpdate } from './routes/permissions-update.ts';
import { registerRolePermissionsAdd } from './routes/role-permissions-add.ts';
import { registerRolePermissionsList } from './routes/role-permissions-list.ts';
import { registerRolePermissionsRemove } from './routes/role-permissions-remove.ts';
import { registerRolesCreate } from './routes/roles-create.ts';
import { registerRolesDelete } from './routes/roles-delete.ts';
import { registerRolesGet } from './routes/roles-get.ts';
import { registerRolesList } from './routes/roles-list.ts';
import { registerRolesUpdate } from './routes/roles-update.ts';
import { registerSigningKeysList } from './routes/signing-keys-list.ts';
import { registerSigningKeysRetire } from './routes/signing-keys-retire.ts';
import { registerSigningKeysRotate } from './routes/signing-keys-rotate.ts';
import { registerUserRolesAdd } from './routes/user-roles-add.ts';
import { registerUserRolesList } from './routes/user-roles-list.ts';
import { registerUserRolesRemove } from './routes/user-roles-remove.ts';

/**
 * The `admin` function: roles and their hierarchy, permissions, who holds which role, app
 * clients and the keys of their tokens. Reading is open to users and app clients with the
 * read permissions; every change needs `rbac:manage` and a user, every deletion also aal2.
 */
export function buildAdminApp(deps: FunctionDeps): App {
  const app = createApp({
    name: 'admin',
    title: 'Admin',
    description: 'Roles and their hierarchy, permissions, role assignments and app clients.',
    ...baseOptions(deps),
  });
  registerRolesList(app);
  registerRolesCreate(app);
  registerRolesGet(app);
  registerRolesUpdate(app);
  registerRolesDelete(app);
  registerRolePermissionsList(app);
  registerRolePermissionsAdd(app);
  registerRolePermissionsRemove(app);
  registerPermissionsList(app);
  registerPermissionsCreate(app);
  registerPermissionsGet(app);
  registerPermissionsUpdate(app);
  registerPermissionsDelete(app);
  registerUserRolesList(app);
  registerUserRolesAdd(app);
  registerUserRolesRemove(app);
  registerAppClientsList(app);
  registerAppClientsCreate(app);
  registerAppClientsGet(app);
  registerAppClientsUpdate(app);
  registerAppClientsDelete(app);
  registerAppClientsDisable(app);
  registerAppClientsRotate(app);
  registerAppClientRolesList(app);
  registerAppClientRolesAdd(app);
  registerAppClientRolesRemove(app);
  // The fixed `/rotate` before `/{kid}` (a DELETE only, but keep the order readable).
  registerSigningKeysList(app);
  registerSigningKeysRotate(app);
  registerSigningKeysRetire(app);
  return app;
}
