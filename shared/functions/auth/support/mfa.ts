import { z } from '@hono/zod-openapi';
import type { Factor } from '@supabase/supabase-js';

/** A second factor as clients see it; its secret never leaves Auth after enrolment. */
export const FactorSchema = z
  .object({
    id: z.uuid(),
    friendly_name: z.string().nullable(),
    factor_type: z.string(),
    status: z.enum(['verified', 'unverified']),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('MfaFactor', {
    example: {
      id: '5f0e2c7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b',
      friendly_name: 'Phone',
      factor_type: 'totp',
      status: 'verified',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
  });

export function toFactor(factor: Factor): z.infer<typeof FactorSchema> {
  return {
    id: factor.id,
    friendly_name: factor.friendly_name || null,
    factor_type: factor.factor_type,
    status: factor.status,
    created_at: factor.created_at,
    updated_at: factor.updated_at,
  };
}

/** The id of a factor or challenge; Auth's own ids are UUIDs. */
export const FactorId = z.uuid().openapi({ example: '5f0e2c7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b' });

/** A TOTP code as authenticator apps show it. */
export const TotpCode = z
  .string()
  .regex(/^\d{6}$/, 'Use the 6 digits your authenticator app shows')
  .openapi({ example: '123456' });
