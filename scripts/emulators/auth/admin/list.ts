import type { EmuContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { INSTANCE_ID, type UserRow } from '../users.ts';
import { adminUserJson, requestAud } from './common.ts';

const DEFAULT_PER_PAGE = 50;

/** GoTrue's `paginate`: unsigned integers, `page` from 1, `per_page` above 0. */
export function pageParams(c: EmuContext) {
  const parse = (name: string, fallback: number) => {
    const raw = c.req.query(name) ?? '';
    if (raw === '') return fallback;
    if (!/^\d+$/.test(raw))
      throw badRequest(
        'validation_failed',
        `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`,
      );
    return Number(raw);
  };
  const page = parse('page', 1);
  const perPage = parse('per_page', DEFAULT_PER_PAGE);
  if (perPage === 0)
    throw badRequest(
      'validation_failed',
      'Bad Pagination Parameters: per_page must be greater than 0',
    );
  return { page, perPage };
}

/** GoTrue's `sort`: only `created_at`, `asc` or `desc`; newest first by default. */
function sortOrder(c: EmuContext): 'asc' | 'desc' {
  const raw = (c.req.query('sort') ?? '').trim();
  if (!raw) return 'desc';
  const [field, dir = 'desc'] = raw.split(/\s+/);
  if (field !== 'created_at' || !['asc', 'desc'].includes(dir.toLowerCase()))
    throw badRequest('validation_failed', `Bad Sort Parameters: ${raw}`);
  return dir.toLowerCase() as 'asc' | 'desc';
}

/**
 * GoTrue's `addPaginationHeaders`: the request URI (relative to the Auth API root, as GoTrue
 * sees it behind the gateway) with `page` replaced and the query sorted by key, as Go's
 * `url.Values.Encode` writes it. auth-js reads the page number from the first `=`.
 */
export function paginationHeaders(c: EmuContext, page: number, perPage: number, total: number) {
  const url = new URL(c.req.url);
  const path = url.pathname.replace(/^\/auth\/v1(?=\/)/, '');
  const query = new URLSearchParams(url.search);
  const link = (p: number) => {
    query.set('page', String(p));
    query.sort();
    return `<${path}?${query.toString()}>`;
  };
  const totalPages = Math.ceil(total / perPage);
  let header = '';
  if (totalPages > page) header += `${link(page + 1)}; rel="next", `;
  header += `${link(totalPages)}; rel="last"`;
  c.header('link', header);
  c.header('x-total-count', String(total));
}

/** `GET /admin/users?page=&per_page=&filter=&sort=`: GoTrue's offset-paginated listing. */
export async function listUsers(c: EmuContext) {
  const { db } = c.var.deps;
  const { page, perPage } = pageParams(c);
  const order = sortOrder(c);
  const aud = requestAud(c);
  const filter = c.req.query('filter') ?? '';
  const like = `%${filter}%`;
  const where = () => db`
    instance_id = ${INSTANCE_ID} and aud = ${aud}
    ${filter ? db`and (email like ${like} or raw_user_meta_data->>'full_name' ilike ${like})` : db``}`;
  const [{ count } = { count: 0 }] = await db<{ count: number }[]>`
    select count(*)::int as count from auth.users where ${where()}`;
  const rows = await db<UserRow[]>`
    select * from auth.users where ${where()}
     order by created_at ${order === 'asc' ? db`asc` : db`desc`}, id
     limit ${perPage} offset ${(Math.max(page, 1) - 1) * perPage}`;
  const users = [];
  for (const row of rows) users.push(await adminUserJson(db, row));
  paginationHeaders(c, page, perPage, count);
  return c.json({ users, aud });
}
