import type { AuthSettings } from './settings.ts';

/** The verification link GoTrue puts in mail: `/verify?token=<hash>&type=<type>&redirect_to=…`. */
export function verifyLink(
  settings: AuthSettings,
  hash: string,
  type: string,
  redirectTo: string,
): string {
  const url = new URL(`${settings.externalUrl}/verify`);
  url.searchParams.set('token', hash);
  url.searchParams.set('type', type);
  url.searchParams.set('redirect_to', redirectTo);
  return url.toString();
}
