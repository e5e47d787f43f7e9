/**
 * Key material for app-client tokens, with Web Crypto only: ES256 key pairs, and their
 * private halves sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from
 * `TOKEN_KEYS_SECRET`, bound to the key id, before they are stored.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const IV_BYTES = 12;
const wrappingKeys = new Map<string, Promise<CryptoKey>>();

/** A new signing key: its id, the JWK to publish, and the private JWK to seal. */
export interface NewKeyPair {
  kid: string;
  publicJwk: JsonWebKey & { kid: string };
  privateJwk: JsonWebKey;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function wrappingKey(secret: string): Promise<CryptoKey> {
  let key = wrappingKeys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((ikm) =>
        crypto.subtle.deriveKey(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            // A label keeps this key apart from any other use of the same secret.
            salt: encoder.encode('app-signing-keys'),
            info: encoder.encode('aes-256-gcm v1'),
          },
          ikm,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    wrappingKeys.set(secret, key);
  }
  return key;
}

/** A fresh ES256 key pair with a random key id (128 bits). */
export async function newKeyPair(): Promise<NewKeyPair> {
  const pair = (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const kid = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return {
    kid,
    publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] },
    privateJwk,
  };
}

/** The private JWK encrypted for storage: IV then ciphertext, authenticated with the kid. */
export async function sealPrivateKey(
  secret: string,
  kid: string,
  jwk: JsonWebKey,
): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(kid) },
    await wrappingKey(secret),
    encoder.encode(JSON.stringify(jwk)),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return out;
}

/** The signing key from its sealed form; throws when the secret or the kid does not match. */
export async function openPrivateKey(
  secret: string,
  kid: string,
  sealed: Uint8Array,
): Promise<CryptoKey> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.slice(0, IV_BYTES), additionalData: encoder.encode(kid) },
    await wrappingKey(secret),
    sealed.slice(IV_BYTES),
  );
  const jwk = JSON.parse(decoder.decode(plain)) as JsonWebKey;
  return crypto.subtle.importKey('jwk', jwk, EC, false, ['sign']);
}

/** A published key, ready to verify with. */
export function verifyingKey(jwk: JsonWebKey): Promise<CryptoKey> {
  const { kty, crv, x, y } = jwk;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y }, EC, false, ['verify']);
}
