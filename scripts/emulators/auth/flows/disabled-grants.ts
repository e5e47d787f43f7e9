import { body, type EmuContext, requireUser } from '../context.ts';
import { badRequest, OAuthError, unprocessable } from '../errors.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Issuers of the built-in ID-token providers that GoTrue knows without reading the token. */
const FIXED: Array<[string, string]> = [
  ['facebook', 'https://www.facebook.com'],
  ['keycloak', ''],
  ['kakao', 'https://kauth.kakao.com'],
  ['vercel_marketplace', 'https://marketplace.vercel.com'],
  ['snapchat', 'https://accounts.snapchat.com/accounts/oauth2/token'],
];
const GOOGLE = 'https://accounts.google.com';
const APPLE_ISSUERS = ['https://appleid.apple.com', 'https://account.apple.com'];
const AZURE_ISSUER = /^https:\/\/login[.]microsoftonline[.]com\/([^/]+)\/v2[.]0\/?$/;
const isAzure = (iss: string) =>
  iss.startsWith('https://login.microsoftonline.com/') ||
  iss.startsWith('https://sts.windows.net/');

/** The unverified `iss` of an ID token, read as GoTrue's Apple and Azure detection reads it. */
function tokenIssuer(idToken: string): string | undefined {
  const parts = idToken.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.iss === 'string' ? payload.iss : '';
  } catch {
    return undefined;
  }
}

const providerOff = (issuer: string) =>
  badRequest('provider_disabled', `Provider (issuer ${JSON.stringify(issuer)}) is not enabled`);

/**
 * GoTrue's `getProvider` when no ID-token provider is configured, as in this emulator: the
 * same cases in the same order (Apple and Azure read the token's issuer first).
 */
function refuseProvider(provider: string, issuer: string, idToken: string): never {
  const detect = (name: string, accepts: (iss: string) => boolean): never => {
    const detected = tokenIssuer(idToken);
    if (detected === undefined)
      throw badRequest(
        'validation_failed',
        `Unable to detect issuer in ID token for ${name} provider`,
      );
    if (!accepts(detected))
      throw badRequest(
        'validation_failed',
        `Detected ID token issuer is not an ${name} ID token issuer`,
      );
    if (issuer && issuer !== detected)
      throw badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
    throw providerOff(detected);
  };
  if (provider === 'apple' || APPLE_ISSUERS.includes(issuer))
    detect('Apple', (iss) => APPLE_ISSUERS.includes(iss));
  if (provider === 'google' || issuer === GOOGLE) throw providerOff(GOOGLE);
  if (provider === 'azure' || AZURE_ISSUER.test(issuer)) detect('Azure', isAzure);
  for (const [name, iss] of FIXED) {
    // Keycloak's issuer is its configured URL, and none is configured here.
    if (provider === name || (name !== 'keycloak' && issuer === iss)) throw providerOff(iss);
  }
  if (provider.startsWith('custom:'))
    throw badRequest('validation_failed', 'Custom OAuth providers are disabled');
  throw badRequest(
    'validation_failed',
    `Custom OIDC provider ${JSON.stringify(provider)} not allowed`,
  );
}

/**
 * `grant_type=id_token` with no ID-token provider enabled: GoTrue's checks in its order,
 * ending in its `provider_disabled` (or `validation_failed` for unknown issuers).
 */
export async function idTokenGrant(c: EmuContext): Promise<never> {
  const input = await body(c);
  const idToken = str(input.id_token);
  const provider = str(input.provider);
  if (!idToken) throw new OAuthError('invalid request', 'id_token required');
  if (!provider && (!str(input.client_id) || !str(input.issuer)))
    throw new OAuthError('invalid request', 'provider or client_id and issuer required');
  if (input.link_identity === true) {
    if (!c.req.header('authorization'))
      throw new OAuthError(
        'invalid request',
        'Linking requires a valid user access token in Authorization',
      );
    await requireUser(c);
  }
  refuseProvider(provider, str(input.issuer), idToken);
}

/** `grant_type=web3` with neither Solana nor Ethereum enabled, as GoTrue answers it. */
export async function web3Grant(c: EmuContext): Promise<never> {
  await body(c);
  throw unprocessable('web3_provider_disabled', 'Web3 provider is disabled');
}
