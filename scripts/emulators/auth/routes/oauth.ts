import type { Context, Hono } from 'hono';
import { clientIp, type EmuContext, type EmuEnv, nowDate, safeRedirect } from '../context.ts';
import { AuthError, badRequest } from '../errors.ts';
import { userFromProfile } from '../flows/oauth-user.ts';
import { callbackErrorRedirect, codeRedirect, implicitRedirect } from '../flows/redirect.ts';
import type { KeyRing } from '../keys.ts';
import { authorizePage, LocalProvider, localProfile, PROVIDER } from '../oauth-provider.ts';
import { attachFlowUser, type ChallengeMethod, createFlowState, readChallenge } from '../pkce.ts';
import { startSession } from '../sessions.ts';
import { validEmail } from '../validate.ts';

/** How long the round trip through the provider may take, as GoTrue's state JWT. */
const STATE_TTL_S = 5 * 60;
/** Marks our state tokens, so no other token signed by the same keys passes as one. */
const STATE_PURPOSE = 'oauth_state';
/** `/authorize` parameters Auth consumes; the rest go on to the provider, as in GoTrue. */
const CONSUMED = ['provider', 'scopes', 'code_challenge', 'code_challenge_method', 'redirect_to'];

interface OAuthState {
  provider: string;
  referrer: string;
  challenge?: { challenge: string; method: ChallengeMethod };
}

async function readState(keys: KeyRing, token: string, at: Date): Promise<OAuthState | undefined> {
  try {
    const claims = await keys.verify(token, at);
    if (claims.purpose !== STATE_PURPOSE || claims.provider !== PROVIDER) return undefined;
    const challenge =
      typeof claims.code_challenge === 'string'
        ? {
            challenge: claims.code_challenge,
            method: claims.code_challenge_method as ChallengeMethod,
          }
        : undefined;
    return { provider: PROVIDER, referrer: String(claims.referrer ?? ''), challenge };
  } catch {
    return undefined;
  }
}

/** Where the provider sends the browser back to, with its code and our state. */
function approve(
  c: Context<EmuEnv>,
  provider: LocalProvider,
  email: string,
  name: string,
  state: string,
) {
  const { externalUrl } = c.var.deps.settings;
  let address: string;
  try {
    address = validEmail(email);
  } catch {
    const action = `${externalUrl}/oauth-provider/authorize`;
    const error = 'Enter a valid email address.';
    return c.html(authorizePage({ action, state, loginHint: email, error }), 400);
  }
  const url = new URL(`${externalUrl}/callback`);
  url.searchParams.set(
    'code',
    provider.issueCode(localProfile(address, name), state, c.var.deps.clock.now()),
  );
  url.searchParams.set('state', state);
  return c.redirect(url.toString(), 302);
}

/**
 * `GET|POST /callback`: checks the signed state, exchanges the provider code for the
 * profile, finds or creates the user, then sends the browser to `redirect_to` with an auth
 * code (PKCE) or the session in the fragment. A bad state goes back to the site URL, as in
 * GoTrue; later failures go to `redirect_to` with the error in query and fragment.
 */
async function callback(c: EmuContext, provider: LocalProvider) {
  const { db, settings, keys } = c.var.deps;
  const params =
    c.req.method === 'POST'
      ? Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]))
      : c.req.query();
  const stateToken = params.state ?? '';
  const state = stateToken ? await readState(keys, stateToken, nowDate(c.var.deps)) : undefined;
  if (!state) {
    const err = stateToken
      ? badRequest('bad_oauth_state', 'OAuth callback with invalid state')
      : badRequest('bad_oauth_callback', 'OAuth state parameter missing');
    const url = new URL(settings.siteUrl);
    url.searchParams.set('error', 'invalid_request');
    url.searchParams.set('error_code', err.errorCode);
    url.searchParams.set('error_description', err.message);
    url.searchParams.sort();
    return c.redirect(url.toString(), 303);
  }
  const redirectTo = safeRedirect(settings, state.referrer);
  if (params.error) {
    const description = params.error_description ?? '';
    return c.redirect(
      callbackErrorRedirect(redirectTo, { status: 400, error: params.error, message: description }),
      302,
    );
  }
  try {
    const code = params.code ?? '';
    if (!code) {
      throw badRequest(
        'bad_oauth_callback',
        'OAuth callback with missing authorization code missing',
      );
    }
    const profile = provider.exchange(code, stateToken, c.var.deps.clock.now());
    if (!profile)
      throw new AuthError(500, 'unexpected_failure', 'Unable to exchange external code');
    const outcome = await db.begin(async (tx) => {
      const authCode =
        state.challenge &&
        (await createFlowState(tx, nowDate(c.var.deps), {
          challenge: state.challenge.challenge,
          method: state.challenge.method,
          providerType: PROVIDER,
          authenticationMethod: 'oauth',
        }));
      const user = await userFromProfile(tx, c.var.deps, profile);
      if (authCode) {
        await attachFlowUser(tx, authCode, user.id);
        return { kind: 'code' as const, code: authCode };
      }
      const ip = clientIp(c);
      const userAgent = c.req.header('user-agent');
      return {
        kind: 'session' as const,
        tokens: await startSession(tx, c.var.deps, user, { method: 'oauth', userAgent, ip }),
      };
    });
    if (outcome.kind === 'code') return c.redirect(codeRedirect(redirectTo, outcome.code), 302);
    return c.redirect(implicitRedirect(redirectTo, outcome.tokens), 302);
  } catch (err) {
    if (err instanceof AuthError) return c.redirect(callbackErrorRedirect(redirectTo, err), 302);
    throw err;
  }
}

/** OAuth sign-in with PKCE: /authorize, /callback and the built-in local provider. */
export function registerOAuth(app: Hono<EmuEnv>): void {
  const provider = new LocalProvider();

  // Starts the round trip: a signed, short-lived state carries what the callback needs.
  app.get('/authorize', async (c) => {
    const { settings, keys } = c.var.deps;
    const name = (c.req.query('provider') ?? '').toLowerCase();
    if (name !== PROVIDER) {
      throw badRequest(
        'validation_failed',
        `Unsupported provider: Provider ${name} could not be found`,
      );
    }
    const pkce = readChallenge({
      code_challenge: c.req.query('code_challenge'),
      code_challenge_method: c.req.query('code_challenge_method'),
    });
    const now = Math.floor(c.var.deps.clock.now() / 1000);
    const state = await keys.sign({
      purpose: STATE_PURPOSE,
      provider: name,
      referrer: safeRedirect(settings, c.req.query('redirect_to')),
      ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: pkce.method } : {}),
      iat: now,
      exp: now + STATE_TTL_S,
    });
    const url = new URL(`${settings.externalUrl}/oauth-provider/authorize`);
    for (const [key, value] of new URL(c.req.url).searchParams) {
      if (!CONSUMED.includes(key)) url.searchParams.set(key, value);
    }
    url.searchParams.set('client_id', PROVIDER);
    url.searchParams.set('redirect_uri', `${settings.externalUrl}/callback`);
    url.searchParams.set('response_type', 'code');
    const scopes = c.req.query('scopes');
    if (scopes) url.searchParams.set('scope', scopes);
    url.searchParams.set('state', state);
    return c.redirect(url.toString(), 302);
  });

  // The provider's page; `?login_hint=<email>&auto=1` approves at once, for scripted runs.
  app.get('/oauth-provider/authorize', (c) => {
    const state = c.req.query('state') ?? '';
    if (!state) return c.text('The state parameter is missing.', 400);
    const hint = c.req.query('login_hint') ?? '';
    if (c.req.query('auto') === '1' && hint) {
      return approve(c, provider, hint, c.req.query('name') ?? '', state);
    }
    const action = `${c.var.deps.settings.externalUrl}/oauth-provider/authorize`;
    return c.html(authorizePage({ action, state, loginHint: hint }));
  });

  app.post('/oauth-provider/authorize', async (c) => {
    const form = await c.req.parseBody();
    const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
    if (!field('state')) return c.text('The state parameter is missing.', 400);
    return approve(c, provider, field('email'), field('name'), field('state'));
  });

  app.get('/callback', (c) => callback(c, provider));
  app.post('/callback', (c) => callback(c, provider));
}
