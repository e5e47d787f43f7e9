import { z } from '@hono/zod-openapi';
import { CLIENT_STATUSES, type ClientRow } from '../../../crm/clients.ts';
import { SERVICE_WINDOW_MS } from '../../../crm/messages.ts';
import { toE164 } from '../../../crm/phone.ts';
import { AppError } from '../../../errors.ts';
import { ProjectIdParam } from './projects-schemas.ts';

/** Shared by the CRM routes: path params, what a client looks like, the fields it takes. */

const uuidParam = (name: string, example: string) =>
  z.uuid().openapi({ param: { name, in: 'path' }, example });

export const ClientParams = ProjectIdParam.extend({
  clientId: uuidParam('clientId', '6a1f0c9e-2b7d-4e3a-9f10-8c2d4e6f7a81'),
});
export const ChannelParams = ProjectIdParam.extend({
  channelId: uuidParam('channelId', '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6'),
});
export const TemplateParams = ProjectIdParam.extend({
  templateId: uuidParam('templateId', '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901'),
});

export const ClientStatus = z.enum(CLIENT_STATUSES).openapi('ClientStatus');

export const ProfileType = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, { message: 'Use 1 to 50 of a-z, 0-9, _ and -' })
  .openapi({ example: 'asylum' });

/** A phone number in any common writing, stored as E.164. */
export const Phone = z
  .string()
  .max(32)
  .transform((v, ctx) => {
    const e164 = toE164(v);
    if (e164) return e164;
    ctx.addIssue({
      code: 'custom',
      message: 'Use an international number: + and the country code',
    });
    return z.NEVER;
  })
  .openapi({ type: 'string', example: '+34 612 345 678' });

/** The fields a person sets on a client; the create and update bodies take them. */
export const ClientFields = {
  phone: Phone,
  name: z.string().trim().min(1).max(200).openapi({ example: 'Amina Diallo' }),
  email: z.email().max(320).nullable().openapi({ example: 'amina@example.com' }),
  profile_type: ProfileType.nullable().openapi({
    description: 'Set by hand: the classifier never overrides it. null hands it back.',
  }),
  status: z.enum(['new', 'active', 'waiting', 'closed']).openapi({
    description: 'Archiving is `DELETE`; giving a status brings an archived client back',
  }),
  tags: z
    .array(z.string().trim().min(1).max(50))
    .max(50)
    .transform((tags) => [...new Set(tags)])
    .openapi({ type: 'array', items: { type: 'string' }, example: ['vip', 'madrid'] }),
  notes: z.string().max(20_000).nullable().openapi({ example: 'Prefers voice notes' }),
};

export const ClientSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    phone: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    profile_type: z.string().nullable(),
    profile_confidence: z.number().nullable(),
    profile_source: z.enum(['manual', 'classifier']).nullable(),
    status: ClientStatus,
    tags: z.array(z.string()),
    notes: z.string().nullable(),
    channel_id: z.uuid().nullable().openapi({ description: 'The number they last wrote to' }),
    last_inbound_at: z.string().nullable(),
    service_window_closes_at: z.string().nullable().openapi({
      description: 'Until then free text may be sent; after it, only templates',
    }),
    last_activity_at: z.string(),
    archived_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Client', {
    example: {
      id: '6a1f0c9e-2b7d-4e3a-9f10-8c2d4e6f7a81',
      project_id: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
      phone: '+34612345678',
      name: 'Amina Diallo',
      email: 'amina@example.com',
      profile_type: 'asylum',
      profile_confidence: 0.875,
      profile_source: 'classifier',
      status: 'active',
      tags: ['madrid'],
      notes: null,
      channel_id: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
      last_inbound_at: '2026-01-03T09:00:00.000Z',
      service_window_closes_at: '2026-01-04T09:00:00.000Z',
      last_activity_at: '2026-01-03T09:05:00.000Z',
      archived_at: null,
      created_at: '2026-01-03T09:00:00.000Z',
      updated_at: '2026-01-03T09:05:00.000Z',
    },
  });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toClient(row: ClientRow): z.infer<typeof ClientSchema> {
  return {
    id: row.id,
    project_id: row.projectId,
    phone: row.phone,
    name: row.name,
    email: row.email,
    profile_type: row.profileType,
    profile_confidence: row.profileConfidence,
    profile_source: row.profileSource,
    status: row.status,
    tags: row.tags,
    notes: row.notes,
    channel_id: row.channelId,
    last_inbound_at: iso(row.lastInboundAt),
    service_window_closes_at: row.lastInboundAt
      ? new Date(row.lastInboundAt.getTime() + SERVICE_WINDOW_MS).toISOString()
      : null,
    last_activity_at: row.lastActivityAt.toISOString(),
    archived_at: iso(row.archivedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

// One body for "missing" and "hidden", so ids cannot be probed.
export const clientNotFound = () => new AppError('not_found', { detail: 'Client not found' });
export const channelNotFound = () => new AppError('not_found', { detail: 'Channel not found' });
export const templateNotFound = () => new AppError('not_found', { detail: 'Template not found' });

/** A request field that names something of another project, or nothing. */
export const unknownReference = (path: string, message: string) =>
  new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: [{ path, message }],
  });
