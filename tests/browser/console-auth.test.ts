import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totp } from '../../scripts/emulators/auth/mfa/totp.ts';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import { useBrowser } from '../helpers/chromium.ts';
import { ManualClock } from '../helpers/clock.ts';
import { createUser, signIn } from '../helpers/console.ts';
import { PASSWORD } from '../helpers/people.ts';
import { useLocalStack } from '../helpers/stack.ts';

// The console in a real Chromium against the whole local stack: signing up, in and out,
// and the second factor. The stack's clock is the one TOTP codes are computed from.
const clock = new ManualClock();
const h = useLocalStack({}, { clock });
const browser = useBrowser();

/** The session supabase-js keeps in the page's localStorage, if any. */
const storedSession = (page: Page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith('-auth-token'));
    return key ? (JSON.parse(localStorage.getItem(key) ?? '{}') as { access_token: string }) : null;
  });

/** What `GET /users/me` answers to a bearer token. */
const meStatus = async (token: string) =>
  (
    await fetch(`${h.stack.gatewayUrl}/functions/v1/api/users/me`, {
      headers: { apikey: DEMO_ANON_KEY, authorization: `Bearer ${token}` },
    })
  ).status;

describe('console sign-in', () => {
  it('signs up, lands signed in from the mailed link, signs out, and signs in again', async () => {
    const url = h.stack.gatewayUrl;
    const page = await browser.page();
    await page.goto(`${url}/console/`);

    const signUp = page.getByRole('form', { name: 'Create an account' });
    await signUp.getByLabel('Email').fill('ada@example.com');
    await signUp.getByLabel('Password').fill(PASSWORD);
    await signUp.getByRole('button', { name: 'Create account' }).click();
    await signUp.getByRole('status').waitFor();
    expect(await storedSession(page)).toBeNull();

    // Confirmations are on locally: the mailed link leads back to the console, signed in.
    const [mail] = await h.mails('ada@example.com');
    expect(mail?.Link).toContain(encodeURIComponent(`${url}/console/`));
    await page.goto(mail?.Link ?? '');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('ada@example.com');
    expect(new URL(page.url()).pathname).toBe('/console/projects');
    const session = await storedSession(page);
    expect(await meStatus(session?.access_token ?? '')).toBe(200);

    // Signing out ends the session at the API too, not only in this tab.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await storedSession(page)).toBeNull();
    clock.advance(11_000); // past the API's cache of live sessions
    expect(await meStatus(session?.access_token ?? '')).toBe(401);

    await signIn(page, url, 'ada@example.com');
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the API’s answer to a wrong password and stays on the sign-in page', async () => {
    await createUser(h.stack.gatewayUrl, 'bob@example.com');
    const page = await browser.page();
    await page.goto(`${h.stack.gatewayUrl}/console/projects`);

    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill('bob@example.com');
    await form.getByLabel('Password').fill('not-the-password-at-all');
    await form.getByRole('button', { name: 'Sign in' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('invalid_credentials');
    expect(await alert.textContent()).toContain('Invalid email or password');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await storedSession(page)).toBeNull();
  });

  it('mails a sign-in link that signs in to the console', async () => {
    const url = h.stack.gatewayUrl;
    await createUser(url, 'linus@example.com');
    const page = await browser.page();
    await page.goto(`${url}/console/sign-in`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill('linus@example.com');
    await page.getByRole('button', { name: 'Email me a sign-in link instead' }).click();
    await page.getByRole('status').getByText('a sign-in link is on its way').waitFor();

    const [mail] = await h.mails('linus@example.com');
    await page.goto(mail?.Link ?? '');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('linus@example.com');
    // supabase-js took the session out of the URL.
    expect(new URL(page.url()).hash).toBe('');
  });

  it('enrols TOTP from its QR code, then steps a later session up when the API asks', async () => {
    const url = h.stack.gatewayUrl;
    await createUser(url, 'grace@example.com');
    const page = await browser.page();
    await signIn(page, url, 'grace@example.com');

    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code of the new factor' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    // It shows: decoding a broken image fails.
    await qr.evaluate((img) => (img as HTMLImageElement).decode());
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    await page.getByLabel(/^Code from/).fill(totp(secret, clock.now() / 1000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('aal').getByText('aal2').waitFor();
    await page.locator('[data-factor] .badge.verified').waitFor();

    // A new password sign-in is aal1: the API refuses it with 403 insufficient_aal, and
    // the console asks for a code, then shows what was asked for.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    clock.advance(11_000); // the API learns of a new factor within 10 s
    await signIn(page, url, 'grace@example.com');
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/projects');
    await page.getByLabel(/^Code from/).fill(totp(secret, clock.now() / 1000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/projects');
    expect(browser.pageErrors).toEqual([]);
  });
});
