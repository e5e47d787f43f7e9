/**
 * App-client secrets: 256 random bits, shown once, stored only as their SHA-256. A slow
 * password hash would add nothing: nobody can guess 256 random bits, so the hash only has to
 * be one-way. Compared in constant time.
 */
const SECRET_BYTES = 32;

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** A new client secret: 32 random bytes, base64url (43 characters). */
export function newClientSecret(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The SHA-256 of a secret, as stored in `private.app_client_secrets`. */
export async function hashClientSecret(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
}

/**
 * Whether `secret` hashes to one of `hashes`. Every hash is compared in full, whatever
 * matched, so timing tells nothing about how close a guess came or which secret it was.
 */
export async function secretMatches(
  secret: string,
  hashes: readonly Uint8Array[],
): Promise<boolean> {
  const presented = await hashClientSecret(secret);
  let matched = 0;
  for (const hash of hashes) {
    let diff = hash.length ^ presented.length;
    for (let i = 0; i < presented.length; i++) diff |= (hash[i] ?? 0) ^ (presented[i] as number);
    matched |= diff === 0 ? 1 : 0;
  }
  return matched === 1;
}
