import { randomUUID } from 'node:crypto';
import { DEMO_CRM_ENCRYPTION_KEY, DEMO_SERVICE_ROLE_KEY } from '../../../scripts/local/keys.ts';
import { tokenCipher } from '../../../shared/crm/token-cipher.ts';
import { asService } from '../../../shared/db/doors.ts';
import { createLogger } from '../../../shared/log.ts';
import { storeDelivery } from '../../../shared/whatsapp/intake.ts';
import { flattenDelivery, parseDelivery } from '../../../shared/whatsapp/webhook.ts';
import type { CrmDeps } from '../../../worker/crm/context.ts';
import { intakeHandler } from '../../../worker/crm/intake.ts';
import { supabaseStorage } from '../../../worker/crm/storage.ts';
import type { JobContext } from '../../../worker/runtime/runner.ts';
import { createGraphClient } from '../../../worker/whatsapp/client.ts';
import { SUPABASE_URL } from '../../helpers/auth-emulator.ts';
import {
  ACCESS_TOKEN,
  GRAPH_URL,
  type GraphHarness,
  PHONE_NUMBER_ID,
} from '../../helpers/graph.ts';
import type { StorageEmulatorHarness } from '../../helpers/storage-emulator.ts';

export const cipher = tokenCipher(DEMO_CRM_ENCRYPTION_KEY);
const log = createLogger({ level: 'silent' });

/**
 * The CRM handlers' dependencies over the Storage emulator's database and bucket and the
 * Graph API emulator behind msw: backoff advances the emulator's manual clock instead of
 * sleeping. `fetch` wraps the Graph client's calls (to step in between them).
 */
export function crmDeps(
  s: StorageEmulatorHarness,
  g: GraphHarness,
  opts: { storage?: boolean; fetch?: typeof fetch } = {},
): CrmDeps {
  return {
    db: s.db.sql,
    clock: g.clock,
    log,
    graph: createGraphClient({
      config: { baseUrl: GRAPH_URL, version: 'v25.0' },
      clock: g.clock,
      retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 },
      random: () => 0.5,
      sleep: async (ms) => g.clock.advance(ms),
      fetch: opts.fetch,
    }),
    cipher,
    storage:
      opts.storage === false
        ? null
        : supabaseStorage(SUPABASE_URL, DEMO_SERVICE_ROLE_KEY, (input, init) =>
            s.fetch(new Request(input, init).url, init),
          ),
  };
}

/** What a handler gets from the runner, for calling it directly. */
export function jobContext(deps: CrmDeps, retry = { count: 0, limit: 5 }): JobContext {
  return {
    signal: new AbortController().signal,
    log,
    db: deps.db,
    clock: deps.clock,
    jobId: randomUUID(),
    queue: 'whatsapp.intake',
    retryCount: retry.count,
    retryLimit: retry.limit,
    boss: undefined as never,
  };
}

/**
 * Takes a delivery the way the webhook does (stored once, keyed per item) and applies it the
 * way the worker does; returns the keys it stored.
 */
export async function ingest(deps: CrmDeps, raw: string): Promise<string[]> {
  const parsed = parseDelivery(JSON.parse(raw));
  if (!parsed.success) throw new Error(`not a delivery: ${raw}`);
  const bytes = new TextEncoder().encode(raw);
  const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const { newKeys } = await asService(deps.db, (tx) =>
    storeDelivery(tx, { raw: bytes, sha256, items: flattenDelivery(parsed.data), at: new Date() }),
  );
  if (newKeys.length) await intakeHandler(deps)({ keys: newKeys }, jobContext(deps));
  return newKeys;
}

/** Every webhook the Graph emulator posted since the last call, applied in arrival order. */
export function forwarder(deps: CrmDeps, g: GraphHarness) {
  let seen = 0;
  return async () => {
    await g.graph.flush();
    while (seen < g.webhooks.length) await ingest(deps, g.webhooks[seen++]!.raw);
  };
}

/** A user, a project and the emulator's number connected to it, in SQL. */
export async function seedChannel(
  deps: CrmDeps,
): Promise<{ projectId: string; channelId: string }> {
  const sql = deps.db;
  const [user] = await sql<{ id: string }[]>`
    insert into auth.users (id, email) values (gen_random_uuid(), ${`${randomUUID()}@example.com`})
    returning id`;
  const [project] = await sql<{ id: string }[]>`
    insert into public.projects (owner_id, name) values (${user!.id}, 'CRM') returning id`;
  const channelId = randomUUID();
  // The emulator's number is global; a test file connects it to its latest project.
  await sql`delete from public.crm_channels where phone_number_id = ${PHONE_NUMBER_ID}`;
  await sql`
    insert into public.crm_channels (id, project_id, phone_number_id, name, access_token)
    values (${channelId}, ${project!.id}, ${PHONE_NUMBER_ID}, 'Emulated',
            ${await cipher.seal(ACCESS_TOKEN, channelId)})`;
  return { projectId: project!.id, channelId };
}
