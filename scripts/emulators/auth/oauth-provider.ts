import { createHash, randomBytes } from 'node:crypto';

/** The built-in OAuth provider that lets the whole OAuth round trip run offline. */
export const PROVIDER = 'local';

/** What the provider tells Auth about the person who approved. */
export interface LocalProfile {
  sub: string;
  email: string;
  name: string;
}

/** Provider codes live as briefly as real ones: enough for one redirect. */
const CODE_TTL_MS = 60_000;

/**
 * The same address always gets the same subject, so signing in twice finds the same
 * identity, as with a real provider's stable user id.
 */
export function localProfile(email: string, name = ''): LocalProfile {
  const address = email.trim().toLowerCase();
  const sub = createHash('sha256').update(`${PROVIDER}:${address}`).digest('hex').slice(0, 32);
  return { sub, email: address, name: name.trim() || (address.split('@')[0] ?? address) };
}

/**
 * The provider's side of the round trip, in memory: it vouches for whatever address the
 * person types (this is a dev/test tool), and hands Auth a one-time code bound to the state
 * it was given, which Auth exchanges for the profile.
 */
export class LocalProvider {
  private readonly codes = new Map<
    string,
    { profile: LocalProfile; state: string; expiresAt: number }
  >();

  /** `now` is the emulator's clock, in milliseconds. */
  issueCode(profile: LocalProfile, state: string, now: number): string {
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { profile, state, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /** Single use: the code is gone after the first attempt, whether or not it was valid. */
  exchange(code: string, state: string, now: number): LocalProfile | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresAt <= now || entry.state !== state) return undefined;
    return entry.profile;
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The provider's sign-in page: an email (and name) form that approves on submit. */
export function authorizePage(opts: {
  action: string;
  state: string;
  loginHint: string;
  error?: string;
}): string {
  const error = opts.error
    ? `<p role="alert" style="color:#b00">${escapeHtml(opts.error)}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Local OAuth provider</title></head>
<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem">
<h1>Sign in with the local provider</h1>
<p>This provider runs inside the Auth emulator and trusts the address you enter.</p>
${error}
<form method="post" action="${escapeHtml(opts.action)}">
<input type="hidden" name="state" value="${escapeHtml(opts.state)}">
<p><label>Email<br><input type="email" name="email" required autofocus value="${escapeHtml(opts.loginHint)}"></label></p>
<p><label>Name<br><input type="text" name="name"></label></p>
<p><button type="submit">Continue</button></p>
</form>
</body>
</html>`;
}
