/**
 * Meta signs every webhook delivery with the app secret: `X-Hub-Signature-256:
 * sha256=<hex>`, an HMAC-SHA256 of the exact request bytes. Verify it on the raw body, before
 * any parsing: re-serialised JSON would not match, and parsing an unsigned body is work an
 * attacker gets for free.
 */

/** The header Meta puts the signature in (HTTP headers are case-insensitive). */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** The raw body as the webhook received it; a string is taken as UTF-8. */
export type SignedBody = string | ArrayBuffer | Uint8Array;

const HEADER_FORMAT = /^sha256=([0-9a-f]{64})$/i;
const encoder = new TextEncoder();

function bytesOf(body: SignedBody): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(body);
  // A copy, so a view into a larger (or shared) buffer signs exactly its own bytes.
  return new Uint8Array(body instanceof Uint8Array ? body : new Uint8Array(body));
}

// Importing the key is most of the cost of a verification; a webhook sees one secret, so
// keep the few imported keys (a rotation briefly makes two).
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(appSecret: string): Promise<CryptoKey> {
  let key = keys.get(appSecret);
  if (!key) {
    if (keys.size >= 4) keys.clear();
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(appSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    keys.set(appSecret, key);
  }
  return key;
}

async function hmac(appSecret: string, body: SignedBody): Promise<Uint8Array> {
  // An empty secret is a configuration mistake; signing with it would "verify" forgeries
  // made with the same empty key, so refuse loudly instead.
  if (!appSecret) throw new TypeError('the WhatsApp app secret is empty');
  const key = await keyFor(appSecret);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, bytesOf(body)));
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The header value Meta would send for `body`: `sha256=` and the lowercase hex HMAC.
 *
 * @example
 * const header = await signatureHeader(appSecret, JSON.stringify(delivery));
 */
export async function signatureHeader(appSecret: string, body: SignedBody): Promise<string> {
  return `sha256=${toHex(await hmac(appSecret, body))}`;
}

/**
 * Whether `header` is a valid signature of `body`. Missing, malformed or wrong signatures
 * are all `false`. The comparison takes the same time wherever the bytes differ, so timing
 * reveals nothing about the expected value.
 *
 * @example
 * const raw = new Uint8Array(await c.req.arrayBuffer());
 * if (!(await verifySignature(secret, raw, c.req.header(SIGNATURE_HEADER)))) return c.body(null, 401);
 */
export async function verifySignature(
  appSecret: string,
  body: SignedBody,
  header: string | null | undefined,
): Promise<boolean> {
  const expected = await hmac(appSecret, body);
  const hex = HEADER_FORMAT.exec(header?.trim() ?? '')?.[1];
  if (!hex) return false; // the format is public; rejecting it early leaks nothing
  const given = fromHex(hex.toLowerCase());
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= (expected[i] ?? 0) ^ (given[i] ?? 0);
  return diff === 0;
}

/**
 * A ready `fetch` init for posting `body` to a webhook as Meta does: JSON, signed.
 *
 * @example
 * await fetch(webhookUrl, await signedWebhookInit(appSecret, JSON.stringify(delivery)));
 */
export async function signedWebhookInit(appSecret: string, body: string): Promise<RequestInit> {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: await signatureHeader(appSecret, body),
    },
    body,
  };
}
