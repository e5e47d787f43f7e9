import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP as GoTrue uses it (RFC 6238 through pquerna/otp): HMAC-SHA-1, 6 digits, a 30 s
 * step, and one step of clock skew either way. Secrets are unpadded RFC 4648 base32.
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
const SKEW = 1;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 the way authenticator apps accept it: any case, spaces and padding ignored. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new Error('invalid base32 character');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 20 random bytes (pquerna/otp's default size), base32 without padding. */
export const newTotpSecret = () => base32Encode(randomBytes(20));

/** RFC 4226 HOTP with dynamic truncation. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code for a base32 secret at a Unix time in seconds. */
export function totp(secret: string, atSeconds = Date.now() / 1000, digits = TOTP_DIGITS): string {
  return hotp(base32Decode(secret), Math.floor(atSeconds / TOTP_PERIOD), digits);
}

/**
 * Whether `code` is the code of the previous, current or next step. Every candidate is
 * compared in constant time and all three are always computed, so timing tells nothing.
 */
export function verifyTotp(secret: string, code: string, nowSeconds: number): boolean {
  if (!/^\d+$/.test(code) || code.length !== TOTP_DIGITS) return false;
  const key = base32Decode(secret);
  const counter = Math.floor(nowSeconds / TOTP_PERIOD);
  const given = Buffer.from(code);
  let ok = false;
  for (let step = -SKEW; step <= SKEW; step++) {
    const expected = Buffer.from(hotp(key, counter + step));
    ok = timingSafeEqual(expected, given) || ok;
  }
  return ok;
}

/** Percent-encoding as Go's url package does: `!*'()` are escaped too. */
const goEscape = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** Go keeps `$&+,/:;=@` literal in a URL path. */
const escapePath = (s: string) =>
  goEscape(s).replace(/%(24|26|2B|2C|2F|3A|3B|3D|40)/g, (m) => decodeURIComponent(m));

/**
 * The key URI pquerna/otp builds (`key.URL()`): label `issuer:account` in the path, the
 * query sorted by key with `%20` for spaces.
 */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  const query = [
    ['algorithm', 'SHA1'],
    ['digits', String(TOTP_DIGITS)],
    ['issuer', issuer],
    ['period', String(TOTP_PERIOD)],
    ['secret', secret],
  ]
    .map(([k, v]) => `${k}=${goEscape(v as string)}`)
    .join('&');
  return `otpauth://totp/${escapePath(`${issuer}:${account}`)}?${query}`;
}
