import { z } from '@hono/zod-openapi';
import type { MessageRow } from '../../../projects/messages.ts';

/** Shared by the conversation routes: what one message of a project's history looks like. */
export const MessageKind = z.enum(['text', 'code', 'event']).openapi('ProjectMessageKind');

export const MessageSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    generation_id: z.uuid().nullable().openapi({ description: 'The generation it is about' }),
    author_id: z.uuid().nullable().openapi({ description: 'null for assistant and system' }),
    author_kind: z.enum(['user', 'assistant', 'system']),
    kind: MessageKind,
    content: z.string(),
    created_at: z.string(),
  })
  .openapi('ProjectMessage', {
    example: {
      id: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      project_id: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
      generation_id: null,
      author_id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      author_kind: 'user',
      kind: 'text',
      content: 'Add a chat screen with the LikeMinds SDK',
      created_at: '2026-01-03T09:00:00.000Z',
    },
  });

export function toMessage(row: MessageRow): z.infer<typeof MessageSchema> {
  return {
    id: row.id,
    project_id: row.projectId,
    generation_id: row.generationId,
    author_id: row.authorId,
    author_kind: row.authorKind,
    kind: row.kind,
    content: row.content,
    created_at: row.createdAt.toISOString(),
  };
}
