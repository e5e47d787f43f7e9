import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { appClient } from './browser.ts';
import { PASSWORD } from './people.ts';

/** A confirmed account, made with the Auth admin API (as the service role). */
export async function createUser(gatewayUrl: string, email: string): Promise<string> {
  const admin = appClient(gatewayUrl, { key: DEMO_SERVICE_ROLE_KEY });
  const { data, error } = await admin.auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  if (error || !data.user) throw error ?? new Error('no user');
  return data.user.id;
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * The `api` function as `email` (signed in through the `auth` function), for setting up
 * what a test then looks at in the console.
 */
export async function apiAs(gatewayUrl: string, email: string): Promise<ApiCall> {
  const login = await fetch(`${gatewayUrl}/functions/v1/auth/login`, {
    method: 'POST',
    headers: { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { access_token } = (await login.json()) as { access_token: string };
  return async (method, path, body) => {
    const res = await fetch(`${gatewayUrl}/functions/v1/api${path}`, {
      method,
      headers: {
        apikey: DEMO_ANON_KEY,
        authorization: `Bearer ${access_token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Signs in through the console's form and waits for the signed-in shell. */
export async function signIn(page: Page, gatewayUrl: string, email: string): Promise<void> {
  await page.goto(`${gatewayUrl}/console/sign-in`);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  const who = page.getByTestId('who');
  await who.waitFor();
  expect(await who.textContent()).toBe(email);
}
