import { z } from '@hono/zod-openapi';
import type { ChannelRow } from '../../../crm/channels.ts';
import { type TokenCipher, tokenCipher } from '../../../crm/token-cipher.ts';
import { AppError } from '../../../errors.ts';

/** Shared by the channel routes: what a connected number looks like, and its fields. */

const digits = (example: string) =>
  z
    .string()
    .regex(/^[0-9]{1,32}$/, { message: "Use Meta's numeric id" })
    .openapi({ example });

export const ChannelFields = {
  phone_number_id: digits('106540352242922').openapi({
    description: "Meta's id of the business number (WhatsApp Manager → API setup)",
  }),
  display_phone_number: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .nullable()
    .openapi({ example: '+1 555 078 3881' }),
  waba_id: digits('102290129340398').nullable().openapi({
    description: 'The WhatsApp Business Account id',
  }),
  name: z.string().trim().min(1).max(120).openapi({ example: 'Front desk' }),
  access_token: z.string().trim().min(1).max(4096).openapi({
    description:
      'A permanent token of a system user with `whatsapp_business_messaging`. Stored encrypted; never returned.',
  }),
};

export const ChannelSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    phone_number_id: z.string(),
    display_phone_number: z.string().nullable(),
    waba_id: z.string().nullable(),
    name: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Channel', {
    example: {
      id: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
      project_id: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
      phone_number_id: '106540352242922',
      display_phone_number: '+1 555 078 3881',
      waba_id: '102290129340398',
      name: 'Front desk',
      created_at: '2026-01-03T09:00:00.000Z',
      updated_at: '2026-01-03T09:00:00.000Z',
    },
  });

export function toChannel(row: ChannelRow): z.infer<typeof ChannelSchema> {
  return {
    id: row.id,
    project_id: row.projectId,
    phone_number_id: row.phoneNumberId,
    display_phone_number: row.displayPhoneNumber,
    waba_id: row.wabaId,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const ciphers = new Map<string, TokenCipher>();

/** The cipher for channel tokens; 503 when the function has no CRM_ENCRYPTION_KEY. */
export function channelCipher(key: string | undefined): TokenCipher {
  if (!key) {
    throw new AppError('service_unavailable', {
      detail: 'Channels cannot be stored: CRM_ENCRYPTION_KEY is not set',
    });
  }
  let cipher = ciphers.get(key);
  if (!cipher) {
    cipher = tokenCipher(key);
    ciphers.set(key, cipher);
  }
  return cipher;
}
