import type { Hono } from 'hono';
import { listAuditLog, ssoProviders } from '../admin/audit-sso.ts';
import { adminUserJson, loadUser, str } from '../admin/common.ts';
import { createUser } from '../admin/create.ts';
import { generateLink, invite } from '../admin/links.ts';
import { listUsers } from '../admin/list.ts';
import { deleteUser, updateUser } from '../admin/update.ts';
import { body, type EmuContext, type EmuEnv, nowDate, requireAdmin } from '../context.ts';
import { downgradeSessions, type FactorRow, factorJson, findOwnedFactor } from '../mfa/factors.ts';

type Handler = (c: EmuContext) => Promise<Response>;

/** Every admin route checks the bearer first: 401 without one, 403 `not_admin` for users. */
export const admin =
  (handler: Handler): Handler =>
  async (c) => {
    await requireAdmin(c);
    return handler(c);
  };

const userId = (c: EmuContext) => c.req.param('id') ?? '';

async function listFactors(c: EmuContext) {
  const { db } = c.var.deps;
  const user = await loadUser(db, userId(c));
  const factors = await db<FactorRow[]>`
    select * from auth.mfa_factors where user_id = ${user.id} order by created_at`;
  return c.json(factors.map(factorJson));
}

/** Removing a factor downgrades the sessions it raised, as an unenroll does. */
async function deleteFactor(c: EmuContext) {
  const { db } = c.var.deps;
  const user = await loadUser(db, userId(c));
  const factor = await findOwnedFactor(db, user.id, c.req.param('factorId') ?? '');
  await db.begin(async (tx) => {
    await tx`delete from auth.mfa_factors where id = ${factor.id}`;
    await downgradeSessions(tx, factor, nowDate(c.var.deps));
  });
  return c.json(factorJson(factor));
}

/** GoTrue's `adminUserUpdateFactor`: only the friendly name of a TOTP factor can change. */
async function updateFactor(c: EmuContext) {
  const { db } = c.var.deps;
  const user = await loadUser(db, userId(c));
  const factor = await findOwnedFactor(db, user.id, c.req.param('factorId') ?? '');
  const name = str((await body(c)).friendly_name);
  if (!name) return c.json(factorJson(factor));
  const updated = await db.begin(async (tx) => {
    const [row] = await tx<FactorRow[]>`
      update auth.mfa_factors set friendly_name = ${name}, updated_at = now()
       where id = ${factor.id} returning *`;
    return row as FactorRow;
  });
  return c.json(factorJson(updated));
}

/** The admin API (service-role key): users, their factors, invite, generate_link, audit, SSO. */
export function registerAdmin(app: Hono<EmuEnv>): void {
  app.get('/admin/users', admin(listUsers));
  app.post('/admin/users', admin(createUser));
  app.get(
    '/admin/users/:id',
    admin(async (c) =>
      c.json(await adminUserJson(c.var.deps.db, await loadUser(c.var.deps.db, userId(c)))),
    ),
  );
  app.put(
    '/admin/users/:id',
    admin((c) => updateUser(c, userId(c))),
  );
  app.delete(
    '/admin/users/:id',
    admin((c) => deleteUser(c, userId(c))),
  );
  app.get('/admin/users/:id/factors', admin(listFactors));
  app.put('/admin/users/:id/factors/:factorId', admin(updateFactor));
  app.delete('/admin/users/:id/factors/:factorId', admin(deleteFactor));
  app.post('/invite', admin(invite));
  app.post('/admin/generate_link', admin(generateLink));
  app.get('/admin/audit', admin(listAuditLog));
  app.get('/admin/sso/providers', admin(ssoProviders.list));
  app.post('/admin/sso/providers', admin(ssoProviders.create));
  app.on(['GET', 'PUT', 'DELETE'], '/admin/sso/providers/:idpId', admin(ssoProviders.one));
}
