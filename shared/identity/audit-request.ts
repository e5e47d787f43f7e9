import type { Context } from 'hono';
import { clientIp } from '../http/client-ip.ts';
import type { AppEnv } from '../http/context.ts';
import { withService } from '../http/doors.ts';
import { type ActorType, writeAudit } from './audit.ts';

export interface AuditFields {
  /** Overrides the actor taken from the principal (e.g. the user a login just identified). */
  actorId?: string;
  /** The kind of `actorId` when it is not a user (an app client the token endpoint identified). */
  actorType?: ActorType;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Appends an audit event with who, from where and which request. Runs as the service role,
 * the only role allowed to insert; never pass passwords or tokens in `metadata`.
 */
export async function audit(
  c: Context<AppEnv>,
  action: string,
  fields: AuditFields = {},
): Promise<void> {
  const principal = c.var.principal;
  const actorId =
    fields.actorId ??
    (principal.kind === 'user' || principal.kind === 'app' ? principal.id : undefined);
  const actorType: ActorType = fields.actorType
    ? fields.actorType
    : fields.actorId
      ? 'user'
      : principal.kind === 'user'
        ? 'user'
        : principal.kind === 'app'
          ? 'app_client'
          : principal.kind;
  await withService(c, (tx) =>
    writeAudit(tx, {
      action,
      actorId,
      actorType,
      targetType: fields.targetType,
      targetId: fields.targetId,
      ip: clientIp(c),
      userAgent: c.req.header('user-agent'),
      requestId: c.var.requestId,
      clientRequestId: c.var.clientRequestId,
      metadata: fields.metadata ?? {},
    }),
  );
}
