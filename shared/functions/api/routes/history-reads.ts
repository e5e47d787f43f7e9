import type { Context } from 'hono';
import type { AppEnv } from '../../../http/context.ts';
import { audit } from '../../../identity/audit-request.ts';

/**
 * Records a read of a project's history (conversation or generations) made by permission
 * rather than membership. Called after the read's transaction: a request holds one at a time.
 */
export async function auditHistoryRead(
  c: Context<AppEnv>,
  projectId: string,
  byPermission: boolean,
): Promise<void> {
  if (!byPermission) return;
  await audit(c, 'project.history_read', { targetType: 'project', targetId: projectId });
}
