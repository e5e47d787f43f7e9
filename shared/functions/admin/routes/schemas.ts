import { z } from '@hono/zod-openapi';
import type { AppClientRow } from '../../../rbac/app-clients.ts';
import type { HeldRole, RolePermission } from '../../../rbac/assignments.ts';
import type { PermissionRow } from '../../../rbac/permissions.ts';
import type { RoleDetail, RoleRow } from '../../../rbac/roles.ts';

const uuidParam = (name: string) =>
  z.uuid().openapi({
    param: { name, in: 'path' },
    example: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
  });

export const IdParam = z.object({ id: uuidParam('id') });
export const RolePermissionParams = z.object({
  id: uuidParam('id'),
  permissionId: uuidParam('permissionId'),
});
export const UserRoleParams = z.object({
  userId: uuidParam('userId'),
  roleId: uuidParam('roleId'),
});
export const UserParam = z.object({ userId: uuidParam('userId') });
export const ClientRoleParams = z.object({ id: uuidParam('id'), roleId: uuidParam('roleId') });

export const Description = z
  .string()
  .trim()
  .max(500)
  .nullable()
  .openapi({ example: 'Reads reports' });
export const RoleName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,49}$/, 'Use 2 to 50 of a-z, 0-9, _ and -, starting with a letter')
  .openapi({ example: 'reporting' });
export const PermissionName = z
  .string()
  .regex(/^[a-z_]+:[a-z_*]+$/, 'Use resource:action, of a-z and _ (action may be *)')
  .max(100)
  .openapi({ example: 'reports:read' });

const iso = (d: Date) => d.toISOString();

export const RoleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    parent_id: z.uuid().nullable(),
    is_system: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Role', {
    example: {
      id: '6f1c1b8e-0d7a-4c55-9b1e-3f0c4a5e9b1e',
      name: 'reporting',
      description: 'Reads reports',
      parent_id: null,
      is_system: false,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    },
  });

export const RoleDetailSchema = RoleSchema.extend({
  permissions: z.array(z.string()).openapi({ description: 'Its own permissions' }),
  effective_permissions: z
    .array(z.string())
    .openapi({ description: 'Its own and every ancestor’s: what a holder gets' }),
}).openapi('RoleDetail');

export function toRole(r: RoleRow) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    parent_id: r.parentId,
    is_system: r.isSystem,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function toRoleDetail(r: RoleDetail) {
  return {
    ...toRole(r),
    permissions: r.permissions,
    effective_permissions: r.effectivePermissions,
  };
}

export const PermissionSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    is_system: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Permission', {
    example: {
      id: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
      name: 'reports:read',
      description: 'Read reports',
      is_system: false,
      created_at: '2026-01-01T00:00:00.000Z',
    },
  });

export function toPermission(p: PermissionRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    is_system: p.isSystem,
    created_at: iso(p.createdAt),
  };
}

export const RolePermissionSchema = z
  .object({ id: z.uuid(), name: z.string(), description: z.string().nullable() })
  .openapi('RolePermission');

export const toRolePermission = (p: RolePermission) => ({
  id: p.id,
  name: p.name,
  description: p.description,
});

export const HeldRoleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    granted_at: z.string(),
    granted_by: z.uuid().nullable(),
  })
  .openapi('HeldRole');

export const toHeldRole = (r: HeldRole) => ({
  id: r.id,
  name: r.name,
  granted_at: iso(r.grantedAt),
  granted_by: r.grantedBy,
});

export const AppClientSchema = z
  .object({
    id: z.uuid().openapi({ description: 'The `client_id`' }),
    name: z.string(),
    description: z.string().nullable(),
    allowed_scopes: z
      .array(z.string())
      .nullable()
      .openapi({ description: 'The most a token may carry; null: whatever its roles give' }),
    token_lifetime_seconds: z.number().int(),
    token_quota_per_hour: z.number().int(),
    enabled: z.boolean(),
    roles: z.array(z.object({ id: z.uuid(), name: z.string() })),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('AppClient', {
    example: {
      id: '6f1c1b8e-0d7a-4c55-9b1e-3f0c4a5e9b1e',
      name: 'nightly-reports',
      description: 'Builds the nightly reports',
      allowed_scopes: null,
      token_lifetime_seconds: 3600,
      token_quota_per_hour: 1000,
      enabled: true,
      roles: [{ id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e', name: 'reporting' }],
      created_by: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    },
  });

export function toAppClient(c: AppClientRow) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    allowed_scopes: c.allowedScopes,
    token_lifetime_seconds: c.tokenLifetimeSeconds,
    token_quota_per_hour: c.tokenQuotaPerHour,
    enabled: c.enabled,
    roles: c.roles,
    created_by: c.createdBy,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

/** Fields a person sets on a client, shared by create and update. */
export const AppClientFields = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/, 'Use 1 to 100 letters, digits, spaces, _ . and -')
    .openapi({ example: 'nightly-reports' }),
  description: Description.optional(),
  allowed_scopes: z.array(PermissionName).max(100).nullable().optional(),
  token_lifetime_seconds: z.number().int().min(60).max(86400).optional().openapi({ example: 3600 }),
  token_quota_per_hour: z.number().int().min(1).max(100000).optional().openapi({ example: 1000 }),
};

/** The camel-cased patch for the query module, with only the keys the body had. */
export function clientPatch(body: {
  name?: string;
  description?: string | null;
  allowed_scopes?: string[] | null;
  token_lifetime_seconds?: number;
  token_quota_per_hour?: number;
  enabled?: boolean;
}) {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.allowed_scopes !== undefined ? { allowedScopes: body.allowed_scopes } : {}),
    ...(body.token_lifetime_seconds !== undefined
      ? { tokenLifetimeSeconds: body.token_lifetime_seconds }
      : {}),
    ...(body.token_quota_per_hour !== undefined
      ? { tokenQuotaPerHour: body.token_quota_per_hour }
      : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
  };
}
