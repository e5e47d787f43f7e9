import { z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { UserRow } from '../../../identity/users.ts';
import { Username } from '../../auth/support/schemas.ts';

/** Shared by the user routes: what a user looks like, and the fields a profile edit takes. */
export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    username: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    is_active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('User', {
    example: {
      id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      email: 'ada@example.com',
      username: 'ada',
      first_name: 'Ada',
      last_name: 'Lovelace',
      avatar_url: null,
      is_active: true,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
    },
  });

export type UserBody = z.infer<typeof UserSchema>;

export function toUser(row: UserRow): UserBody {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    first_name: row.firstName,
    last_name: row.lastName,
    avatar_url: row.avatarUrl,
    is_active: row.isActive,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const Name = z.string().trim().min(1).max(100).nullable();

/** Profile fields anyone may edit on a profile they may edit; left out means unchanged. */
export const ProfileFields = {
  username: Username.optional(),
  first_name: Name.optional().openapi({ example: 'Ada' }),
  last_name: Name.optional().openapi({ example: 'Lovelace' }),
  avatar_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional()
    .openapi({ example: 'https://cdn.example.com/ada.png' }),
};

/** The profile patch for `updateProfile`, with only the keys the body had. */
export function profilePatch(body: {
  username?: string;
  first_name?: string | null;
  last_name?: string | null;
  avatar_url?: string | null;
}) {
  return {
    ...(body.username !== undefined ? { username: body.username } : {}),
    ...(body.first_name !== undefined ? { firstName: body.first_name } : {}),
    ...(body.last_name !== undefined ? { lastName: body.last_name } : {}),
    ...(body.avatar_url !== undefined ? { avatarUrl: body.avatar_url } : {}),
  };
}

/** A user id in the path. */
export const UserIdParam = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
  }),
});

export const userNotFound = () => new AppError('not_found', { detail: 'User not found' });
