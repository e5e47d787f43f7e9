import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../../shared/auth/authenticator.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { fixtures } from '../api/fixtures.ts';
import { appClientFixtures, basic } from './app-clients.ts';

const clock = new ManualClock();
const fx = useFunctions(
  { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
  { AUTH_RATE_LIMIT_PER_IP: 0 },
  { clock },
);
const { signUp } = fixtures(fx);
const { seedClient, oauth, tokenFor } = appClientFixtures(fx);

function expectNoStore(headers: Headers) {
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('pragma')).toBe('no-cache');
}

describe('POST /token/revoke (RFC 7009)', () => {
  it("revokes a client's own token: the API refuses it, introspection says inactive", async () => {
    const client = await seedClient({ permissions: ['audit:read'] });
    const token = await tokenFor(client);
    expect(await fx.services.authenticator.principal(token)).toMatchObject({ kind: 'app' });

    const res = await oauth(
      '/token/revoke',
      { token, token_type_hint: 'access_token' },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    expect(res.status).toBe(200);
    expectNoStore(res.headers);
    await expect(fx.services.authenticator.principal(token)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    const seen = await oauth(
      '/token/introspect',
      { token },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    expect(seen.body).toEqual({ active: false });

    // Revoking again, or revoking garbage, is 200 with nothing to do (§2.2).
    for (const t of [token, 'not-a-token', `${token.slice(0, -4)}AAAA`]) {
      const again = await oauth(
        '/token/revoke',
        { token: t },
        {
          authorization: basic(client.id, client.secret),
        },
      );
      expect(again.status).toBe(200);
    }
    const [events] = await fx.auth.db.sql`
      select count(*)::int as n from public.audit_log
       where action = 'app_client.token_revoked' and target_id = ${client.id}`;
    expect(events?.n).toBe(1);
  });

  it("refuses another client's token, a missing token, and an unauthenticated caller", async () => {
    const owner = await seedClient();
    const other = await seedClient();
    const token = await tokenFor(owner);
    const stolen = await oauth(
      '/token/revoke',
      { token },
      {
        authorization: basic(other.id, other.secret),
      },
    );
    expect({ status: stolen.status, error: stolen.body.error }).toEqual({
      status: 400,
      error: 'unauthorized_client',
    });
    expectNoStore(stolen.headers);
    expect(await fx.services.authenticator.principal(token)).toMatchObject({ id: owner.id });

    const missing = await oauth(
      '/token/revoke',
      {},
      {
        authorization: basic(owner.id, owner.secret),
      },
    );
    expect({ status: missing.status, error: missing.body.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    const anonymous = await oauth('/token/revoke', { token });
    expect({ status: anonymous.status, error: anonymous.body.error }).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="auth"');
  });
});

describe('POST /token/introspect (RFC 7662)', () => {
  it('answers authenticated callers only', async () => {
    const client = await seedClient();
    const token = await tokenFor(client);
    const res = await oauth('/token/introspect', { token });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="auth", Bearer realm="auth"');
    expectNoStore(res.headers);
    const wrong = await oauth(
      '/token/introspect',
      { token },
      {
        authorization: basic(client.id, 'wrong'),
      },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="auth"');
  });

  it('describes a live token to a client, a user or another app client', async () => {
    const client = await seedClient({ permissions: ['audit:read'], lifetime: 600 });
    const token = await tokenFor(client);
    const user = await signUp();
    const callers = [
      { authorization: basic(client.id, client.secret) },
      { authorization: `Bearer ${user.token}` },
      { authorization: `Bearer ${await tokenFor(await seedClient())}` },
    ];
    for (const headers of callers) {
      const res = await oauth('/token/introspect', { token }, headers);
      expect(res.status).toBe(200);
      expectNoStore(res.headers);
      expect(res.body).toEqual({
        active: true,
        scope: 'audit:read',
        client_id: client.id,
        sub: client.id,
        token_type: 'Bearer',
        exp: Math.floor(clock.now() / 1000) + 600,
        iat: Math.floor(clock.now() / 1000),
        iss: 'http://supabase.test/functions/v1/auth',
        aud: 'authenticated',
        jti: expect.any(String),
        roles: [expect.stringMatching(/^r_/)],
        permissions: ['audit:read'],
      });
    }
  });

  it('says inactive for expired, disabled-client, user and malformed tokens', async () => {
    const client = await seedClient({ permissions: ['audit:read'], lifetime: 60 });
    const auth = { authorization: basic(client.id, client.secret) };
    const user = await signUp();
    const expiring = await tokenFor(client);
    const other = await seedClient();
    const disabledToken = await tokenFor(other);
    await fx.auth.db.sql`update public.app_clients set enabled = false where id = ${other.id}`;
    for (const token of [user.token, 'garbage', disabledToken]) {
      expect((await oauth('/token/introspect', { token }, auth)).body).toEqual({ active: false });
    }
    clock.advance(61_000);
    expect((await oauth('/token/introspect', { token: expiring }, auth)).body).toEqual({
      active: false,
    });
    const missing = await oauth('/token/introspect', {}, auth);
    expect({ status: missing.status, error: missing.body.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
  });
});
