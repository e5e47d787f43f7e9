import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';
import type { Pool } from '../../shared/db/client.ts';
import { appClient } from '../helpers/browser.ts';

/** A signed-up user of a running stack, calling the `api` function as an app would. */
export interface ApiUser {
  token: string;
  /** Calls `api` with the user's token; answers the Response as is. */
  call(method: string, path: string, json?: unknown): Promise<Response>;
  /** Creates a project and answers its id. */
  project(name: string): Promise<string>;
  /** Starts a generation (202) and answers its id. */
  generate(projectId: string, prompt: string): Promise<string>;
}

/** Signs a new user up through Auth (the stack must auto-confirm) and answers their door. */
export async function signUp(gatewayUrl: string): Promise<ApiUser> {
  const client = appClient(gatewayUrl);
  const { data, error } = await client.auth.signUp({
    email: `fault-${randomUUID()}@example.com`,
    password: 'a-sturdy-password',
  });
  const token = data.session?.access_token;
  if (!token) throw new Error(`sign-up gave no session: ${error?.message}`);
  const call = (method: string, path: string, json?: unknown) =>
    fetch(`${gatewayUrl}/functions/v1/api${path}`, {
      method,
      headers: {
        apikey: DEMO_ANON_KEY,
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const created = async (res: Response) => {
    const body = (await res.json()) as { id?: string };
    if (!res.ok || !body.id) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
    return body.id;
  };
  return {
    token,
    call,
    project: async (name) => created(await call('POST', '/projects', { name })),
    generate: async (projectId, prompt) =>
      created(await call('POST', `/projects/${projectId}/generations`, { prompt })),
  };
}

/** Every generation of the database is in a terminal state. */
export async function expectAllEnded(sql: Pool): Promise<void> {
  const open = await sql<{ id: string; status: string }[]>`
    select id, status from public.code_generations
     where status not in ('succeeded', 'failed', 'cancelled')`;
  expect(open).toEqual([]);
}

/** Waits until `probe()` is empty (processes that take an instant to go); answers what is left. */
export async function settledEmpty(probe: () => number[], ms = 5_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = probe();
    if (!left.length || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
