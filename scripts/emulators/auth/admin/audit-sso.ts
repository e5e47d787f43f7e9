import { body, type EmuContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { INSTANCE_ID } from '../users.ts';
import { pageParams, paginationHeaders } from './list.ts';

/** GoTrue's `filterColumnMap`: `?query=<scope>:<text>` searches these payload fields. */
const FILTERS: Record<string, string[]> = {
  author: ['actor_username', 'actor_name'],
  action: ['action'],
  type: ['log_type'],
};

/**
 * `GET /admin/audit`: GoTrue's audit log, newest first, from `auth.audit_log_entries`,
 * offset-paginated like the user list.
 */
export async function listAuditLog(c: EmuContext) {
  const { db } = c.var.deps;
  const { page, perPage } = pageParams(c);
  const q = c.req.query('query') ?? '';
  let columns: string[] = [];
  let text = '';
  if (q) {
    const at = q.indexOf(':');
    const scope = at < 0 ? q : q.slice(0, at);
    if (at < 0 || !FILTERS[scope])
      throw badRequest('validation_failed', `Invalid query scope: ${q}`);
    columns = FILTERS[scope] ?? [];
    text = q.slice(at + 1);
  }
  const like = `%${text}%`;
  const where = () => db`
    instance_id = ${INSTANCE_ID}
    ${
      columns.length && text
        ? db`and (${columns
            .map((col) => db`payload->>${col} ilike ${like}`)
            .reduce((a, b) => db`${a} or ${b}`)})`
        : db``
    }`;
  const [{ count } = { count: 0 }] = await db<{ count: number }[]>`
    select count(*)::int as count from auth.audit_log_entries where ${where()}`;
  const rows = await db`
    select instance_id, id, payload, created_at, ip_address from auth.audit_log_entries
     where ${where()} order by created_at desc
     limit ${perPage} offset ${(Math.max(page, 1) - 1) * perPage}`;
  paginationHeaders(c, page, perPage, count);
  return c.json(rows);
}

const providerNotFound = () =>
  notFound('sso_provider_not_found', 'SSO Identity Provider not found');

/**
 * The SAML SSO provider admin API. SAML is off and none can be stored here, so the list is
 * empty and every provider is unknown, as GoTrue with SAML off and no providers answers; a
 * new provider is checked as GoTrue checks it, then refused as SAML being disabled.
 */
export const ssoProviders = {
  list: async (c: EmuContext): Promise<Response> => c.json({ items: [] }),
  one: async (_c: EmuContext): Promise<Response> => {
    throw providerNotFound();
  },
  async create(c: EmuContext): Promise<Response> {
    const input = await body<Record<string, unknown>>(c);
    const url = typeof input.metadata_url === 'string' ? input.metadata_url : '';
    const xml = typeof input.metadata_xml === 'string' ? input.metadata_xml : '';
    if (input.type !== 'saml')
      throw badRequest('validation_failed', "Only 'saml' supported for SSO provider type");
    if (url && xml)
      throw badRequest(
        'validation_failed',
        'Only one of metadata_xml or metadata_url needs to be set',
      );
    if (!url && !xml)
      throw badRequest('validation_failed', 'Either metadata_xml or metadata_url must be set');
    if (url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest('validation_failed', 'metadata_url is not a valid URL');
      }
      if (parsed.protocol !== 'https:')
        throw badRequest('validation_failed', 'metadata_url is not a HTTPS URL');
    }
    throw notFound('saml_provider_disabled', 'SAML 2.0 is disabled');
  },
};
