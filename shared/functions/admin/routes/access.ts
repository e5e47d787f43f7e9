import { AppError } from '../../../errors.ts';
import {
  requireAal2,
  requireCaller,
  requirePermission,
  requireUser,
} from '../../../http/middleware/auth.ts';
import { USERS, USERS_AND_APPS } from '../../../http/schemas.ts';

/**
 * Who may call the admin routes, stated once per kind so each route's OpenAPI `security`
 * and its middleware cannot disagree: reading is for users and app clients holding the read
 * permission; changing RBAC is for users holding `rbac:manage`; destroying (every DELETE)
 * also needs a session verified with a second factor (aal2).
 */
export const read = (permission: string) => ({
  security: USERS_AND_APPS,
  middleware: [requireCaller(), requirePermission(permission)],
});

export const manage = () => ({
  security: USERS,
  middleware: [requireUser(), requirePermission('rbac:manage')],
});

export const destroy = () => ({
  security: USERS,
  middleware: [requireUser(), requirePermission('rbac:manage'), requireAal2()],
});

/** The sentence each route's description ends with. */
export const READ_NOTE = 'Users and app clients may call it.';
export const MANAGE_NOTE = 'Needs `rbac:manage`; users only.';
export const DESTROY_NOTE = 'Needs `rbac:manage` and a session at `aal2`; users only.';

export const roleNotFound = () => new AppError('not_found', { detail: 'Role not found' });
export const permissionNotFound = () =>
  new AppError('not_found', { detail: 'Permission not found' });
export const clientNotFound = () => new AppError('not_found', { detail: 'App client not found' });
