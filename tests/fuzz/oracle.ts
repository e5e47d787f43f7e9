import { ErrorCodes } from '../../shared/errors.ts';
import { type Caller, isSignedIn } from './callers.ts';
import type { Operation } from './openapi.ts';
import { type Diff, mentions, RBAC_TABLES, type Row } from './snapshot.ts';

/** What came back, read once. */
export interface Outcome {
  method: string;
  status: number;
  headers: Headers;
  text: string;
}

const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'detail', 'code', 'request_id', 'errors']);
const FIELD_PATH = /^(body|query|param|path|header|cookie)(\.|$)/;
/**
 * What a leaked stack trace or database error looks like. Plain substrings, not a regex: the
 * texts checked can be large, and a backtracking pattern would take minutes on them.
 */
const LEAKS = [
  'SQLSTATE',
  'syntax error at',
  'violates ',
  'relation "',
  'node_modules',
  'Error: ',
  '    at ',
];

/**
 * The largest error body: a few field errors with short messages. An error that echoes what
 * was sent grows with the request; this keeps it from being a mirror.
 */
const MAX_ERROR_BYTES = 8 * 1024;

class Violation extends Error {
  override name = 'Violation';
}

function fail(what: string, out: Outcome): never {
  throw new Violation(
    `${what}\n  → ${out.method} answered ${out.status}: ${out.text.slice(0, 400)}`,
  );
}

const OAUTH_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'too_many_requests',
]);

function parseBody(out: Outcome): Record<string, unknown> {
  try {
    return JSON.parse(out.text);
  } catch {
    fail('an error body that is not JSON', out);
  }
}

/** An RFC 6749 §5.2 error: `error` from the registry, a description, never cached. */
function checkOAuthError(out: Outcome): void {
  const body = parseBody(out);
  const extra = Object.keys(body).filter((k) => k !== 'error' && k !== 'error_description');
  if (extra.length) fail(`OAuth error fields outside RFC 6749: ${extra.join(', ')}`, out);
  if (!OAUTH_CODES.has(body.error as string)) fail(`an unknown OAuth error ${body.error}`, out);
  if (typeof body.error_description !== 'string') fail('an OAuth error without a description', out);
  if (out.headers.get('cache-control') !== 'no-store')
    fail('an OAuth answer that may be cached', out);
}

/**
 * No 5xx, and every error is the one problem+json shape, with field paths on every 422. The
 * OAuth token endpoints answer their own errors as RFC 6749 says; what the middleware refuses
 * before them is problem+json as everywhere.
 */
export function checkResponse(op: Operation, out: Outcome): void {
  if (out.status >= 500) fail('a 5xx', out);
  if (out.status < 400 || out.method === 'HEAD') return;
  const type = out.headers.get('content-type');
  if (op.oauthErrors && type?.startsWith('application/json')) {
    checkOAuthError(out);
    checkBounded(out);
    return;
  }
  if (type !== 'application/problem+json') fail(`an error as ${type}, not problem+json`, out);
  const body = parseBody(out);
  const extra = Object.keys(body).filter((k) => !PROBLEM_KEYS.has(k));
  if (extra.length) fail(`problem fields outside the shape: ${extra.join(', ')}`, out);
  const code = body.code as keyof typeof ErrorCodes;
  if (!(code in ErrorCodes)) fail(`an unknown code ${String(code)}`, out);
  if (body.status !== out.status || ErrorCodes[code].status !== out.status) {
    fail(`code ${code} and status ${String(body.status)} disagree with HTTP ${out.status}`, out);
  }
  if (body.type !== `urn:problem:${code}` || typeof body.title !== 'string') {
    fail('type or title missing', out);
  }
  if (typeof body.request_id !== 'string' || body.request_id !== out.headers.get('x-request-id')) {
    fail('request_id missing or not the x-request-id header', out);
  }
  if (out.status === 422) {
    const errors = body.errors;
    const ok =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every(
        (e) =>
          typeof e?.path === 'string' &&
          FIELD_PATH.test(e.path) &&
          typeof e.message === 'string' &&
          e.message.length > 0,
      );
    if (!ok) fail('a 422 without errors[] of field paths', out);
  }
  checkBounded(out);
}

/** No internals in an error, and no error that grows with what was sent. */
function checkBounded(out: Outcome): void {
  if (LEAKS.some((leak) => out.text.includes(leak))) fail('internals in an error body', out);
  if (out.text.length > MAX_ERROR_BYTES) fail(`an error body of ${out.text.length} bytes`, out);
}

/** Callers without valid credentials never get in; anonymous ones only where the doc says. */
export function checkAccess(op: Operation, caller: Caller, out: Outcome): void {
  if (out.method === 'OPTIONS' || out.status >= 400) return;
  // An Authorization header that is not `Bearer <token>` carries no token: anonymous.
  const anonymous = caller === 'anonymous' || caller === 'anon-key' || caller === 'garbage';
  if (!isSignedIn(caller) && !anonymous) fail(`a ${caller} token was accepted`, out);
  if (anonymous && op.secured) {
    fail('an anonymous caller passed a route that needs a token', out);
  }
}

const describeRows = (rows: Row[]) =>
  [...new Set(rows.map((r) => r.table))].map((t) => `public.${t}`).join(', ');

/** Whose rows a request may touch: the user's (`mine`) and everyone the world knows. */
export interface Owners {
  /** The user and their projects before the request (old row versions are judged by it). */
  before: string[];
  /** The same after the request (new row versions are judged by it). */
  after: string[];
  /** The user, the victim, the admin and their projects: the people who existed before. */
  existing: string[];
}

/**
 * No request changes data it should not:
 * - a refused request changes nothing;
 * - a public route (sign-up), whoever calls it, changes no existing row and adds none that
 *   mentions an existing person or project;
 * - on other routes a caller without a session changes nothing, and a user changes only rows
 *   that mention them or a project they belong to, never roles or grants.
 */
export function checkData(op: Operation, caller: Caller, out: Outcome, d: Diff, who: Owners) {
  const changed = [...d.removed, ...d.added];
  if (changed.length === 0) return;
  const where = describeRows(changed);
  if (out.status >= 400) fail(`a refused request changed ${where}`, out);
  if (!op.secured) {
    const touched = [...d.removed, ...d.added.filter((r) => mentions(r, who.existing))];
    if (touched.length) fail(`a public route changed ${describeRows(touched)}`, out);
    return;
  }
  if (!isSignedIn(caller)) fail(`a ${caller} caller changed ${where}`, out);
  if (caller === 'user') {
    const foreign = [
      ...d.removed.filter((r) => !mentions(r, who.before)),
      ...d.added.filter((r) => !mentions(r, who.after)),
      ...changed.filter((r) => RBAC_TABLES.has(r.table)),
    ];
    if (foreign.length) fail(`a user changed rows not theirs in ${describeRows(foreign)}`, out);
  }
}

/**
 * What a signed-in user reads stays theirs: no answer shows them the id of a project they
 * do not belong to, or of another person's session, unless they named it in the request.
 */
export function checkPrivacy(
  caller: Caller,
  out: Outcome,
  sent: string,
  secrets: { projects: string[]; sessions: string[] },
  mine: string[],
): void {
  if (caller !== 'user') return;
  const leaked = [
    ...secrets.projects.filter((id) => !mine.includes(id)),
    ...secrets.sessions,
  ].filter((id) => out.text.includes(id) && !sent.includes(id));
  if (leaked.length) fail(`a user was shown ${leaked.join(', ')}, which is not theirs`, out);
}
