/**
 * What text a request may carry, wherever it sits (path, query, JSON keys and values).
 * PostgreSQL `text` and `jsonb` cannot store U+0000, and a lone UTF-16 surrogate has no
 * UTF-8 form, so both would fail deep in a query (or be silently replaced by U+FFFD).
 * They are refused at the edge instead, with the field that held them.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Why `text` cannot be accepted, or undefined when it can. */
export function unsafeTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'Must be valid Unicode (no lone surrogate)';
  return undefined;
}

/** The longest a single path segment is echoed back in an error; the rest is cut. */
const SEGMENT_ECHO = 100;

/**
 * Joins a request part and its segments into the dotted field path used in 422 errors
 * (`body.settings.theme`, `query.q`). Segments are made printable: a hostile key is echoed
 * cut short and without the characters that made it hostile.
 */
export function fieldPath(part: string, segments: ReadonlyArray<string | number>): string {
  const shown = segments.map((s) =>
    typeof s === 'number'
      ? String(s)
      : s.slice(0, SEGMENT_ECHO).replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATES, '\ufffd'),
  );
  return [part, ...shown].join('.');
}
