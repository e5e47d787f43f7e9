import type { CallInit } from '../helpers/functions.ts';
import type { Operation } from './openapi.ts';
import { type BodyPlan, materialize, type Piece, type Plan } from './plan.ts';
import type { Ref } from './schema-arbitrary.ts';

/** Stands in for text spliced into the JSON after JSON.stringify. */
const DEEP = '@@fuzz-splice@@';

/**
 * Percent-encodes like a careless client: well-formed text as UTF-8, a lone surrogate as the
 * three bytes of its CESU-8 form (which no UTF-8 decoder accepts).
 */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((ch) => {
        try {
          return encodeURIComponent(ch);
        } catch {
          const c = ch.charCodeAt(0);
          const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
          return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
        }
      })
      .join('');
  }
}

function piece(p: Piece, lookup: (ref: Ref) => string): string {
  if ('raw' in p) return p.raw;
  const value = materialize(p.value, lookup);
  return encode(typeof value === 'string' ? value : JSON.stringify(value));
}

function jsonText(plan: Extract<BodyPlan, { kind: 'json' }>, lookup: (ref: Ref) => string) {
  const m = plan.mutation;
  if (m.kind === 'root') return JSON.stringify(materialize(m.value, lookup)) ?? 'null';
  const base = materialize(plan.value, lookup);
  const obj: Record<string, unknown> =
    base !== null && typeof base === 'object' && !Array.isArray(base)
      ? { ...(base as Record<string, unknown>) }
      : { value: base };
  const key = 'key' in m ? String(m.key) : '';
  if (m.kind === 'set') obj[key] = materialize(m.value, lookup);
  if (m.kind === 'drop') delete obj[key];
  if (m.kind === 'deep' || m.kind === 'literal') obj[key] = DEEP;
  let text = JSON.stringify(obj);
  if (m.kind === 'deep') {
    // Built as text: JSON.stringify itself would recurse that deep.
    const close = m.open === '[' ? ']' : '}';
    const open = m.open === '[' ? '[' : '{"a":';
    text = text.replace(`"${DEEP}"`, `${open.repeat(m.depth)}1${close.repeat(m.depth)}`);
  }
  if (m.kind === 'literal') text = text.replace(`"${DEEP}"`, m.text);
  if (m.kind === 'proto') {
    const injected = `"${m.key}":{"is_admin":true,"role":"admin","roles":["admin"]}`;
    text = text === '{}' ? `{${injected}}` : `{${injected},${text.slice(1)}`;
  }
  return text;
}

/** The path (with query) and request init for `fx.call`, with the caller's credentials. */
export function render(
  op: Operation,
  plan: Plan,
  lookup: (ref: Ref) => string,
  authorization: string | undefined,
): { path: string; init: CallInit } {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const p = plan.path[name];
    return p ? piece(p, lookup) : '';
  });
  const query = plan.query.map(([k, v]) => `${piece(k, lookup)}=${piece(v, lookup)}`).join('&');
  const headers: Record<string, string> = { ...plan.headers };
  if (authorization !== undefined) headers.authorization = authorization;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  // A fetch Request cannot carry a body on GET or HEAD.
  const canHaveBody = plan.method !== 'GET' && plan.method !== 'HEAD';
  if (plan.body && canHaveBody) {
    body = plan.body.kind === 'json' ? jsonText(plan.body, lookup) : plan.body.body;
    if (plan.body.contentType !== undefined) headers['content-type'] = plan.body.contentType;
    // Bytes, so fetch adds no `text/plain` of its own when the plan sends no content type.
    else if (typeof body === 'string') body = new TextEncoder().encode(body);
  }
  return {
    path: query ? `${path}?${query}` : path,
    init: { method: plan.method, headers, body },
  };
}
