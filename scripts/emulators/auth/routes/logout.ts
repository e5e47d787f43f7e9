import type { Hono } from 'hono';
import { type EmuEnv, requireUser } from '../context.ts';
import { badRequest } from '../errors.ts';

/** `POST /logout?scope=global|local|others`: ends sessions; their refresh tokens go with them. */
export function registerLogout(app: Hono<EmuEnv>): void {
  app.post('/logout', async (c) => {
    const scope = c.req.query('scope') ?? 'global';
    if (!['global', 'local', 'others'].includes(scope)) {
      throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
    }
    const { user, sessionId } = await requireUser(c);
    const { db } = c.var.deps;
    if (scope === 'global') await db`delete from auth.sessions where user_id = ${user.id}`;
    if (scope === 'local') await db`delete from auth.sessions where id = ${sessionId}`;
    if (scope === 'others')
      await db`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
    return c.body(null, 204);
  });
}
