/**
 * List cursors: the last row's sort key and id, signed (HMAC, bound to the endpoint and the
 * sort) with `CURSOR_SECRET`, so a tampered or foreign cursor is a 422 at `query.cursor`.
 */
import type { Order, Position } from '../db/keyset.ts';
import { AppError } from '../errors.ts';

const invalidCursor = (message: string) =>
  new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: [{ path: 'query.cursor', message }],
  });

const TAG_BYTES = 16;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // A label keeps this key apart from any other use of the same secret.
    const material = encoder.encode(`list-cursor-v1:${secret}`);
    key = crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return key;
}

async function tag(secret: string, scope: string, payload: Uint8Array): Promise<Uint8Array> {
  const scoped = new Uint8Array([...encoder.encode(`${scope}\n`), ...payload]);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), scoped);
  return new Uint8Array(mac).slice(0, TAG_BYTES);
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (ch) =>
      ch.charCodeAt(0),
    );
  } catch {
    return undefined;
  }
}

export interface CursorCodec {
  encode(position: Position): Promise<string>;
  /** The position in `query.cursor`, undefined without one; 422 when it is not ours or not for this sort. */
  decode(query: { cursor?: string; sort: string; order: Order }): Promise<Position | undefined>;
}

/** Cursors for one endpoint (`scope`), signed with `secret` so clients cannot forge them. */
export function cursorCodec(secret: string, scope: string): CursorCodec {
  return {
    async encode(p) {
      const payload = encoder.encode(JSON.stringify([p.sort, p.order, p.key, p.id]));
      return toBase64Url(new Uint8Array([...payload, ...(await tag(secret, scope, payload))]));
    },
    async decode({ cursor, sort, order }) {
      if (cursor === undefined) return undefined;
      const bytes = fromBase64Url(cursor);
      if (!bytes || bytes.length <= TAG_BYTES) throw invalidCursor('Malformed cursor');
      const payload = bytes.slice(0, -TAG_BYTES);
      const expected = await tag(secret, scope, payload);
      // Compare every byte, so timing says nothing about how much of a forgery matched.
      let diff = 0;
      for (let i = 0; i < TAG_BYTES; i++)
        diff |= (bytes[payload.length + i] ?? 0) ^ (expected[i] ?? 0);
      if (diff !== 0) throw invalidCursor('The cursor was altered or belongs to another list');
      const [s, o, key, id] = JSON.parse(new TextDecoder().decode(payload)) as string[];
      if (s !== sort || o !== order)
        throw invalidCursor('The cursor belongs to another sort; start again');
      return { sort, order, key: String(key), id: String(id) };
    },
  };
}
