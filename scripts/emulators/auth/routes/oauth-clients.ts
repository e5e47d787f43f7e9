import type { Hono } from 'hono';
import {
  AUTH_METHODS,
  checkDescriptors,
  checkGrantTypes,
  checkRedirectUris,
  goList,
} from '../admin/oauth-client-rules.ts';
import {
  type ClientRow,
  clientJson,
  decodeParams,
  loadClient,
  methodsForType,
  newSecret,
  type RegisterParams,
  registerClient,
} from '../admin/oauth-clients.ts';
import { type EmuContext, type EmuEnv, limit, nowDate, requireAdmin } from '../context.ts';
import { badRequest, forbidden } from '../errors.ts';
import { disabledFeature } from './disabled.ts';

const REGISTER_FIELDS = {
  redirect_uris: 'strings',
  client_type: 'string',
  token_endpoint_auth_method: 'string',
  grant_types: 'strings',
  client_name: 'string',
  client_uri: 'string',
  logo_uri: 'string',
} as const;

const UPDATE_FIELDS = {
  redirect_uris: 'strings',
  grant_types: 'strings',
  client_name: 'string',
  client_uri: 'string',
  logo_uri: 'string',
  token_endpoint_auth_method: 'string',
} as const;

/** GoTrue's order for `/admin/oauth/…`: admin credentials, then the server must be on. */
async function adminOAuth(c: EmuContext) {
  await requireAdmin(c);
  if (!c.var.deps.settings.oauthServer.enabled) throw disabledFeature.oauthServer();
}

const clientOf = async (c: EmuContext) => {
  await adminOAuth(c);
  return loadClient(c.var.deps.db, c.req.param('clientId') ?? '');
};

/** GoTrue's `OAuthServerClientUpdate`: only the fields given change, each checked first. */
async function updateClient(c: EmuContext) {
  const client = await clientOf(c);
  const p = (await decodeParams(c, UPDATE_FIELDS)) as RegisterParams;
  if (Object.keys(p).length === 0)
    throw badRequest('validation_failed', 'No fields provided for update');
  if (p.redirect_uris) checkRedirectUris(p.redirect_uris, false);
  if (p.grant_types) checkGrantTypes(p.grant_types);
  checkDescriptors(p);
  const method = p.token_endpoint_auth_method;
  if (method !== undefined && !AUTH_METHODS.includes(method))
    throw badRequest(
      'validation_failed',
      `invalid token_endpoint_auth_method: must be one of ${goList(AUTH_METHODS)}`,
    );
  if (method !== undefined && !methodsForType(client.client_type).includes(method))
    throw badRequest(
      'validation_failed',
      `token_endpoint_auth_method '${method}' is not valid for client_type '${client.client_type}'; valid methods: ${goList(methodsForType(client.client_type))}`,
    );
  const next = (v: string | undefined, current: string | null) =>
    v === undefined ? current : v || null;
  const { db } = c.var.deps;
  const [row] = await db<ClientRow[]>`
    update auth.oauth_clients set
      redirect_uris = ${p.redirect_uris ? p.redirect_uris.join(',') : client.redirect_uris},
      grant_types = ${p.grant_types ? p.grant_types.join(',') : client.grant_types},
      client_name = ${next(p.client_name, client.client_name)},
      client_uri = ${next(p.client_uri, client.client_uri)},
      logo_uri = ${next(p.logo_uri, client.logo_uri)},
      token_endpoint_auth_method = ${method ?? client.token_endpoint_auth_method},
      updated_at = ${nowDate(c.var.deps)}
    where id = ${client.id} returning *`;
  return c.json(clientJson(row as ClientRow));
}

async function regenerateSecret(c: EmuContext) {
  const client = await clientOf(c);
  if (client.client_type !== 'confidential')
    throw badRequest('validation_failed', 'Cannot regenerate secret for public client');
  const { secret, hash } = newSecret();
  const [row] = await c.var.deps.db<ClientRow[]>`
    update auth.oauth_clients set client_secret_hash = ${hash}, updated_at = ${nowDate(c.var.deps)}
     where id = ${client.id} returning *`;
  return c.json(clientJson(row as ClientRow, secret));
}

/**
 * The OAuth 2.1 server's client API, as supabase-js `auth.admin.oauth` calls it:
 * `/admin/oauth/clients` (create, list, get, update, delete, regenerate_secret), plus
 * dynamic registration at `/oauth/clients/register` when allowed. Clients live in
 * `auth.oauth_clients`; secrets are shown once and stored as SHA-256 hashes.
 */
export function registerOAuthClients(app: Hono<EmuEnv>): void {
  app.post('/admin/oauth/clients', async (c) => {
    await adminOAuth(c);
    const params = (await decodeParams(c, REGISTER_FIELDS)) as RegisterParams;
    const at = nowDate(c.var.deps);
    return c.json(await registerClient(c.var.deps.db, params, 'manual', at), 201);
  });

  // GoTrue lists every live client, newest first, without pagination headers yet;
  // its `clients,omitempty` leaves the field out when there are none.
  app.get('/admin/oauth/clients', async (c) => {
    await adminOAuth(c);
    const rows = await c.var.deps.db<ClientRow[]>`
      select * from auth.oauth_clients where deleted_at is null order by created_at desc`;
    return c.json(rows.length ? { clients: rows.map((r) => clientJson(r)) } : {});
  });

  app.get('/admin/oauth/clients/:clientId', async (c) => c.json(clientJson(await clientOf(c))));
  app.put('/admin/oauth/clients/:clientId', updateClient);
  app.delete('/admin/oauth/clients/:clientId', async (c) => {
    const client = await clientOf(c);
    const at = nowDate(c.var.deps);
    await c.var.deps.db`
      update auth.oauth_clients set deleted_at = ${at}, updated_at = ${at} where id = ${client.id}`;
    return c.body(null, 204);
  });
  app.post('/admin/oauth/clients/:clientId/regenerate_secret', regenerateSecret);

  app.post('/oauth/clients/register', async (c) => {
    const { settings, db } = c.var.deps;
    if (!settings.oauthServer.enabled) throw disabledFeature.oauthServer();
    limit(c, 'oauth_client_register');
    if (!settings.oauthServer.allowDynamicRegistration)
      throw forbidden(
        'oauth_dynamic_client_registration_disabled',
        'Dynamic client registration is not enabled',
      );
    const params = (await decodeParams(c, REGISTER_FIELDS)) as RegisterParams;
    return c.json(await registerClient(db, params, 'dynamic', nowDate(c.var.deps)), 201);
  });
}
