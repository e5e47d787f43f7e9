import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO_CRM_ENCRYPTION_KEY } from '../../../../scripts/local/keys.ts';
import type { Clock } from '../../../../shared/clock.ts';
import { type FunctionsHarness, useFunctions } from '../../../helpers/functions.ts';
import { fixtures, type TestUser } from '../fixtures.ts';
import { projectFixtures } from '../projects/helpers.ts';

export const APP_SECRET = 'crm-test-app-secret';
export const VERIFY_TOKEN = 'crm-test-verify-token';

/** The functions as `useApi()` builds them, with the CRM's and the webhook's settings. */
export function useCrmApi(opts: { clock?: Clock; unsignedLimit?: number } = {}): FunctionsHarness {
  return useFunctions(
    { GOTRUE_MAILER_AUTOCONFIRM: 'true', GOTRUE_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0' },
    {
      AUTH_RATE_LIMIT_PER_IP: 0,
      CRM_ENCRYPTION_KEY: DEMO_CRM_ENCRYPTION_KEY,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_UNSIGNED_LIMIT_PER_MINUTE: opts.unsignedLimit ?? 30,
    },
    { clock: opts.clock },
  );
}

/** A fresh Meta-looking phone_number_id, so tests never collide on the global unique key. */
export const newPhoneNumberId = () => `10${randomInt(1e9, 1e10 - 1)}${randomInt(1000, 9999)}`;

/** A fresh E.164 number in Spain's mobile range. */
export const newPhone = () => `+346${randomInt(1e7, 1e8 - 1)}`;

export interface Team {
  owner: TestUser;
  editor: TestUser;
  viewer: TestUser;
  stranger: TestUser;
  projectId: string;
}

/** Fixtures for the CRM suites: a project with a member of each role, numbers and clients. */
export function crmFixtures(fx: FunctionsHarness) {
  const { api, signUp } = fixtures(fx);
  const { seedProject } = projectFixtures(fx);
  const sql = () => fx.auth.db.sql;

  let people: Promise<TestUser[]> | undefined;

  /**
   * A fresh project with a member of each role. The people are signed up once per file (a
   * sign-up hashes a password); each call gives them a project of their own.
   */
  async function team(): Promise<Team> {
    people ??= (async () => [await signUp(), await signUp(), await signUp(), await signUp()])();
    const [owner, editor, viewer, stranger] = await people;
    const projectId = await seedProject(owner!, [
      [editor!, 'editor'],
      [viewer!, 'viewer'],
    ]);
    return { owner: owner!, editor: editor!, viewer: viewer!, stranger: stranger!, projectId };
  }

  /** Connects a number through the API, as the owner does. */
  async function channel(t: Team, phoneNumberId = newPhoneNumberId()): Promise<string> {
    const res = await api(`/projects/${t.projectId}/channels`, {
      token: t.owner.token,
      json: { phone_number_id: phoneNumberId, name: 'Front desk', access_token: 'EAA-test-token' },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** A client written in SQL, optionally as if they last wrote through `channelId` at `inboundAt`. */
  async function client(
    projectId: string,
    f: { phone?: string; name?: string; email?: string; channelId?: string; inboundAt?: Date } = {},
  ): Promise<string> {
    const [row] = await sql()<{ id: string }[]>`
      insert into public.crm_clients (project_id, phone, name, email, channel_id, last_inbound_at)
      values (${projectId}, ${f.phone ?? newPhone()}, ${f.name ?? 'Amina Diallo'},
              ${f.email ?? null}, ${f.channelId ?? null}, ${f.inboundAt?.toISOString() ?? null})
      returning id`;
    return row!.id;
  }

  return { team, channel, client, api, sql };
}
