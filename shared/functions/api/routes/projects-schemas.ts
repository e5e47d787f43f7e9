import { z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { MemberRow } from '../../../projects/members.ts';
import type { ProjectRow } from '../../../projects/projects.ts';

/** Shared by the project routes: what a project looks like, its fields, its path params. */

const SETTINGS_MAX_BYTES = 64 * 1024;
const encoder = new TextEncoder();

export const ProjectRole = z.enum(['owner', 'editor', 'viewer']).openapi('ProjectRole');

/** Roles a member can be given directly; `owner` changes hands only through a transfer. */
export const MemberRole = z.enum(['editor', 'viewer']).openapi({ example: 'editor' });

export const ProjectSchema = z
  .object({
    id: z.uuid(),
    owner_id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    settings: z.record(z.string(), z.unknown()),
    role: ProjectRole.nullable().openapi({
      description: 'Your role in the project; null when you see it only as an administrator',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Project', {
    example: {
      id: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
      owner_id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      name: 'My First Integration',
      description: 'Integration for LikeMinds Chat SDK',
      settings: { flutter_channel: 'stable' },
      role: 'owner',
      created_at: '2026-01-01T09:00:00.000Z',
      updated_at: '2026-01-02T10:00:00.000Z',
    },
  });

export function toProject(row: ProjectRow): z.infer<typeof ProjectSchema> {
  return {
    id: row.id,
    owner_id: row.ownerId,
    name: row.name,
    description: row.description,
    settings: row.settings,
    role: row.role,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The editable fields; the database checks them again (name 1–120, description ≤ 2000). */
export const ProjectFields = {
  name: z.string().trim().min(1).max(120).openapi({ example: 'My First Integration' }),
  description: z
    .string()
    .max(2000)
    .nullable()
    .openapi({ example: 'Integration for LikeMinds Chat SDK' }),
  // An object, never an array or a scalar; the size bound is the database's, approximated here
  // so most oversized bodies fail with a field path before reaching SQL.
  settings: z
    .record(z.string(), z.unknown())
    .refine((s) => encoder.encode(JSON.stringify(s)).length <= SETTINGS_MAX_BYTES, {
      message: 'Settings may hold at most 64 KB',
    })
    .openapi({ example: { flutter_channel: 'stable' } }),
};

export const MemberSchema = z
  .object({
    user_id: z.uuid(),
    role: ProjectRole,
    added_by: z.uuid().nullable().openapi({ description: 'Who added them; null for the creator' }),
    created_at: z.string(),
    username: z.string().nullable().openapi({ description: 'What people sharing a project see' }),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
  })
  .openapi('ProjectMember', {
    example: {
      user_id: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
      role: 'editor',
      added_by: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      created_at: '2026-01-03T09:00:00.000Z',
      username: 'grace',
      first_name: 'Grace',
      last_name: 'Hopper',
      avatar_url: null,
    },
  });

export function toMember(row: MemberRow): z.infer<typeof MemberSchema> {
  return {
    user_id: row.userId,
    role: row.role,
    added_by: row.addedBy,
    created_at: row.createdAt.toISOString(),
    username: row.username,
    first_name: row.firstName,
    last_name: row.lastName,
    avatar_url: row.avatarUrl,
  };
}

export const ProjectIdParam = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
  }),
});

export const MemberParams = ProjectIdParam.extend({
  userId: z.uuid().openapi({
    param: { name: 'userId', in: 'path' },
    example: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
  }),
});

// One body for "missing" and "hidden", so a project id cannot be probed.
export const projectNotFound = () => new AppError('not_found', { detail: 'Project not found' });
export const memberNotFound = () => new AppError('not_found', { detail: 'Member not found' });
export const notAllowed = (cause?: unknown) =>
  new AppError('forbidden', { detail: 'Your role in this project does not allow this', cause });

/** A value the database refused, reported at the field it came from. */
export function invalidField(path: string, message: string, cause?: unknown): AppError {
  return new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: [{ path, message }],
    cause,
  });
}
