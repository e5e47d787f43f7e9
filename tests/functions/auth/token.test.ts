import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../helpers/clock.ts';
import { useFunctions } from '../../helpers/functions.ts';
import { appClientFixtures, basic, jwtParts } from './app-clients.ts';

const clock = new ManualClock();
const fx = useFunctions({}, {}, { clock });
const { seedClient, oauth, tokenFor } = appClientFixtures(fx);

const grant = { grant_type: 'client_credentials' };

/** What every answer of the token endpoint carries (RFC 6749 §5.1). */
function expectNoStore(headers: Headers) {
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('pragma')).toBe('no-cache');
  expect(headers.get('content-type')).toMatch(/^application\/json/);
}

/** An RFC 6749 §5.2 error: exact status, `error`, and the headers that go with it. */
function expectOAuthError(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  error: string,
) {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
  expect(typeof res.body.error_description).toBe('string');
  expectNoStore(res.headers);
  if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Basic realm="auth"');
  else expect(res.headers.get('www-authenticate')).toBeNull();
}

describe('POST /token (client credentials)', () => {
  it('issues an ES256 token shaped like a Supabase token, by HTTP Basic', async () => {
    const client = await seedClient({ permissions: ['audit:read', 'users:read'], lifetime: 900 });
    const res = await oauth('/token', grant, { authorization: basic(client.id, client.secret) });
    expect(res.status).toBe(200);
    expectNoStore(res.headers);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'audit:read users:read',
    });
    const { header, claims } = jwtParts(res.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    expect(claims).toMatchObject({
      iss: 'http://supabase.test/functions/v1/auth',
      aud: 'authenticated',
      role: 'authenticated',
      sub: client.id,
      client_id: client.id,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      roles: [expect.stringMatching(/^r_/)],
      permissions: ['audit:read', 'users:read'],
      scope: 'audit:read users:read',
      is_anonymous: false,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
    expect(claims.iat).toBe(Math.floor(clock.now() / 1000));
    expect(claims).not.toHaveProperty('session_id');

    // The JWKS publishes the key that signed it.
    const jwks = await fx.call('auth', '/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await jwks.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toContainEqual(
      expect.objectContaining({ kid: header.kid, kty: 'EC', crv: 'P-256', alg: 'ES256' }),
    );
    expect(keys.every((k) => !('d' in k))).toBe(true);

    // The API takes it as the app client, with its permissions.
    const principal = await fx.services.authenticator.principal(res.body.access_token);
    expect(principal).toMatchObject({
      kind: 'app',
      id: client.id,
      permissions: ['audit:read', 'users:read'],
    });
  });

  it('takes the credentials from the body as well, and narrows to the scope asked for', async () => {
    const client = await seedClient({ permissions: ['audit:read', 'users:read'] });
    const res = await oauth('/token', {
      ...grant,
      client_id: client.id,
      client_secret: client.secret,
      scope: 'users:read',
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('users:read');
    expect(jwtParts(res.body.access_token).claims.permissions).toEqual(['users:read']);
    const principal = await fx.services.authenticator.principal(res.body.access_token);
    expect(principal).toMatchObject({ kind: 'app', permissions: ['users:read'] });
  });

  it("never grants beyond the client's allowed scopes", async () => {
    const client = await seedClient({
      permissions: ['audit:read', 'users:read'],
      allowedScopes: ['users:read'],
    });
    const all = await oauth('/token', grant, { authorization: basic(client.id, client.secret) });
    expect(all.body.scope).toBe('users:read');
    const more = await oauth(
      '/token',
      { ...grant, scope: 'audit:read' },
      { authorization: basic(client.id, client.secret) },
    );
    expectOAuthError(more, 400, 'invalid_scope');
  });

  it('writes an audit event for each token, naming the client as actor', async () => {
    const client = await seedClient({ permissions: ['audit:read'] });
    await tokenFor(client);
    const rows = await fx.auth.db.sql`
      select actor_type, actor_id, action, target_id from public.audit_log
       where action = 'app_client.token_issued' and target_id = ${client.id}`;
    expect(rows).toEqual([
      {
        actor_type: 'app_client',
        actor_id: client.id,
        action: 'app_client.token_issued',
        target_id: client.id,
      },
    ]);
  });
});

describe('POST /token errors, exactly as RFC 6749 §5.2', () => {
  it('invalid_client (401, WWW-Authenticate) for a wrong secret, by Basic or in the body', async () => {
    const client = await seedClient();
    expectOAuthError(
      await oauth('/token', grant, { authorization: basic(client.id, `${client.secret}x`) }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await oauth('/token', { ...grant, client_id: client.id, client_secret: 'nope' }),
      401,
      'invalid_client',
    );
    const [failed] = await fx.auth.db.sql`
      select count(*)::int as n from public.audit_log
       where action = 'app_client.auth_failed' and target_id = ${client.id}`;
    expect(failed?.n).toBe(2);
  });

  it('invalid_client for an unknown client, no credentials, bad Basic, a disabled client', async () => {
    const disabled = await seedClient({ enabled: false });
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [grant, { authorization: basic('00000000-0000-4000-8000-000000000000', 'x') }],
      [{ ...grant, client_id: 'not-a-uuid', client_secret: 'x' }, {}],
      [grant, {}],
      [grant, { authorization: 'Basic !!!' }],
      [grant, { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }],
      [{ ...grant, client_id: disabled.id }, {}],
      [grant, { authorization: basic(disabled.id, disabled.secret) }],
    ];
    for (const [form, headers] of cases) {
      expectOAuthError(await oauth('/token', form, headers), 401, 'invalid_client');
    }
  });

  it('unsupported_grant_type for any other grant', async () => {
    const client = await seedClient();
    for (const grantType of ['password', 'authorization_code', 'refresh_token', 'x']) {
      expectOAuthError(
        await oauth(
          '/token',
          { grant_type: grantType },
          {
            authorization: basic(client.id, client.secret),
          },
        ),
        400,
        'unsupported_grant_type',
      );
    }
  });

  it('invalid_request for a missing grant_type, a repeated parameter, two methods, or JSON', async () => {
    const client = await seedClient();
    const auth = { authorization: basic(client.id, client.secret) };
    expectOAuthError(await oauth('/token', {}, auth), 400, 'invalid_request');
    expectOAuthError(
      await oauth('/token', { ...grant, client_secret: client.secret }, auth),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await raw('grant_type=client_credentials&grant_type=client_credentials', {
        ...auth,
        'content-type': 'application/x-www-form-urlencoded',
      }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await raw(JSON.stringify(grant), { ...auth, 'content-type': 'application/json' }),
      400,
      'invalid_request',
    );
  });

  it('invalid_scope for a scope the client may not have, or a malformed one', async () => {
    const client = await seedClient({ permissions: ['audit:read'] });
    const auth = { authorization: basic(client.id, client.secret) };
    for (const scope of [
      'users:read',
      'audit:read users:delete',
      'audit:read  users:read',
      '"x"',
    ]) {
      expectOAuthError(await oauth('/token', { ...grant, scope }, auth), 400, 'invalid_scope');
    }
  });

  it('too_many_requests (429, Retry-After) past the hourly quota, and again next hour', async () => {
    clock.set(Date.UTC(2030, 0, 1, 10, 59, 30));
    const client = await seedClient({ permissions: ['audit:read'], quota: 2 });
    await tokenFor(client);
    await tokenFor(client);
    const third = await oauth('/token', grant, { authorization: basic(client.id, client.secret) });
    expect(third.status).toBe(429);
    expect(third.body.error).toBe('too_many_requests');
    expect(third.headers.get('retry-after')).toBe('30');
    expectNoStore(third.headers);
    clock.advance(30_000);
    expect(await tokenFor(client)).toEqual(expect.any(String));
    clock.set(Date.now());
  });
});

/** A POST to /token with a body written by hand (a repeated parameter, JSON). */
async function raw(body: string, headers: Record<string, string>) {
  const res = await fx.call('auth', '/token', { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
