import { timingSafeEqual } from 'node:crypto';

/**
 * Paths Supabase's gateway leaves open: browsers reach them from mail links and redirects,
 * and the JWKS is public so any verifier can fetch it.
 */
const OPEN =
  /^\/auth\/v1\/(verify|callback|authorize|oauth-provider\/.*|\.well-known\/jwks\.json)$/;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The API-key check Supabase's gateway makes in front of Auth: an `apikey` header (or
 * query parameter) holding the anon or service-role key. Returns the refusal, or nothing.
 */
export function checkApiKey(request: Request, keys: string[]): Response | undefined {
  const url = new URL(request.url);
  if (OPEN.test(url.pathname) || request.method === 'OPTIONS') return undefined;
  const key = request.headers.get('apikey') ?? url.searchParams.get('apikey');
  if (!key) return Response.json({ message: 'No API key found in request' }, { status: 401 });
  if (!keys.some((k) => same(k, key))) {
    return Response.json(
      {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      },
      { status: 401 },
    );
  }
  return undefined;
}
