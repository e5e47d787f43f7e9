/**
 * Channel access tokens at rest: AES-256-GCM (Web Crypto) under `CRM_ENCRYPTION_KEY`, bound to
 * the channel's id as additional data, so a sealed token copied onto another channel does not
 * open. Sealed form: `v1.<iv>.<ciphertext and tag>`, both base64url. The plain token is only
 * ever held in memory by the worker, to call the Graph API.
 */

const VERSION = 'v1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Thrown when a sealed token is malformed, altered, or sealed under another key or channel. */
export class SealedTokenError extends Error {
  override name = 'SealedTokenError';
}

export interface TokenCipher {
  seal(token: string, channelId: string): Promise<string>;
  open(sealed: string, channelId: string): Promise<string>;
}

function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

/** Whether `key` is base64 (or base64url) of exactly 32 bytes. */
export function isEncryptionKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) return false;
  try {
    return fromBase64Url(key.replace(/=+$/, '')).length === 32;
  } catch {
    return false;
  }
}

const aad = (channelId: string) => encoder.encode(`crm-channel:${channelId}`);

/**
 * A cipher under `keyBase64` (32 random bytes, base64: `openssl rand -base64 32`).
 *
 * @example
 * const cipher = tokenCipher(config.CRM_ENCRYPTION_KEY);
 * const sealed = await cipher.seal(accessToken, channelId);
 */
export function tokenCipher(keyBase64: string): TokenCipher {
  if (!isEncryptionKey(keyBase64)) throw new TypeError('the CRM encryption key must be 32 bytes');
  const key = crypto.subtle.importKey(
    'raw',
    fromBase64Url(keyBase64.replace(/=+$/, '')),
    { name: 'AES-GCM' },
    false,
    ['encrypt', 'decrypt'],
  );
  return {
    async seal(token, channelId) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aad(channelId) },
        await key,
        encoder.encode(token),
      );
      return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
    },
    async open(sealed, channelId) {
      const [version, iv, data] = sealed.split('.');
      if (version !== VERSION || !iv || !data) throw new SealedTokenError('not a sealed token');
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: aad(channelId) },
          await key,
          fromBase64Url(data),
        );
        return decoder.decode(plain);
      } catch (err) {
        throw new SealedTokenError('the token does not open with this key and channel', {
          cause: err,
        });
      }
    },
  };
}
