import { expect, it } from 'vitest';
import { useFunctions } from '../../helpers/functions.ts';

const fx = useFunctions({ GOTRUE_MAILER_AUTOCONFIRM: 'true' });

it('names body.email when Auth refuses an address the schema let through', async () => {
  // A 64-character domain label: a valid email to the schema, not to Auth (63 at most).
  // Found by the fuzzer: the 422 came without errors[].
  const res = await fx.call('auth', '/register', {
    json: { email: `ada@${'b'.repeat(64)}.com`, password: 'a-sturdy-password' },
  });
  expect(res.status).toBe(422);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await res.json()).toMatchObject({
    code: 'validation_failed',
    errors: [{ path: 'body.email', message: expect.any(String) }],
  });
});
