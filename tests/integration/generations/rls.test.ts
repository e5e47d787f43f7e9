import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../../shared/db/client.ts';
import { asUser, type DbClaims } from '../../../shared/db/doors.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, pgError } from '../identity/fixtures.ts';
import { createWorld, DENIED, type World } from '../projects/fixtures.ts';

// Who reaches a generation's events, in the table and on its Realtime channel, as the
// database decides it; and the cap on events per generation.
const db = useTestDatabase();
let w: World;

beforeAll(async () => {
  w = await createWorld(db.sql);
  await db.sql`select private.append_generation_event(${w.generation}, 'Output',
                 '{"step": "build", "text": "Compiling…"}'::jsonb)`;
});

const eventsSeenBy = (claims: DbClaims) =>
  asUser(
    db.sql,
    claims,
    async (tx) =>
      (await tx`select seq from public.generation_events where generation_id = ${w.generation}`)
        .length,
  );

/**
 * What Realtime asks at join: probe rows for the topic, then a select as the user (read), and
 * an insert as the user (write), all rolled back.
 */
async function channelAccess(claims: DbClaims, topic: string) {
  const ROLLBACK = new Error('rollback');
  let access = { broadcast: false, presence: false, send: false, announce: false };
  await db.sql
    .begin(async (tx) => {
      const ids = { broadcast: randomUUID(), presence: randomUUID() };
      for (const [extension, id] of Object.entries(ids)) {
        await tx`insert into realtime.messages (id, topic, extension) values (${id}, ${topic}, ${extension})`;
      }
      await tx`select set_config('role', 'authenticated', true),
                      set_config('realtime.topic', ${topic}, true),
                      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      const seen = new Set(
        (
          await tx`select id from realtime.messages where id in (${ids.broadcast}, ${ids.presence})`
        ).map((r) => r.id),
      );
      const writes = async (extension: string) =>
        tx
          .savepoint(
            (sp: Tx) =>
              sp`insert into realtime.messages (topic, extension) values (${topic}, ${extension})`,
          )
          .then(
            () => true,
            () => false,
          );
      access = {
        broadcast: seen.has(ids.broadcast),
        presence: seen.has(ids.presence),
        send: await writes('broadcast'),
        announce: await writes('presence'),
      };
      throw ROLLBACK;
    })
    .catch((err) => {
      if (err !== ROLLBACK) throw err;
    });
  return access;
}

describe('generation_events', () => {
  it('are read by whoever sees the generation, and written by no user', async () => {
    for (const member of [w.owner, w.editor, w.viewer]) {
      expect(await eventsSeenBy(claimsOf(member))).toBe(2);
    }
    expect(await eventsSeenBy(claimsOf(w.stranger))).toBe(0);
    for (const write of [
      (tx: Tx) =>
        tx`insert into public.generation_events (generation_id, seq, type, event)
           values (${w.generation}, 99, 'Result', '{}'::jsonb)`,
      (tx: Tx) => tx`update public.generation_events set event = '{}'::jsonb`,
      (tx: Tx) => tx`delete from public.generation_events`,
      (tx: Tx) =>
        tx`select private.append_generation_event(${w.generation}, 'Result', '{}'::jsonb)`,
    ]) {
      expect(await pgError(() => asUser(db.sql, claimsOf(w.owner), write))).toBe(DENIED);
    }
  });

  it('are hidden from an aal1 session of a member with a verified factor', async () => {
    await db.sql`
      insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
      values (gen_random_uuid(), ${w.viewer}, 'phone', 'totp', 'verified', now(), now(), 'x')`;
    expect(await eventsSeenBy({ ...claimsOf(w.viewer), aal: 'aal1' })).toBe(0);
    expect(await eventsSeenBy({ ...claimsOf(w.viewer), aal: 'aal2' })).toBe(2);
    expect(
      (await channelAccess({ ...claimsOf(w.viewer), aal: 'aal1' }, `generation:${w.generation}`))
        .broadcast,
    ).toBe(false);
  });

  it('stop at the cap: streamed ones at 1900, the closing ones at 2000', async () => {
    const [row] = await db.sql<{ id: string }[]>`
      insert into public.code_generations (project_id, prompt) values (${w.project}, 'cap')
      returning id`;
    const id = row!.id;
    const [streamed] = await db.sql<{ n: number }[]>`
      select count(private.append_generation_event(${id}, 'Output', '{"step":"build","text":"x"}'::jsonb))::int as n
        from generate_series(1, 2100)`;
    expect(streamed!.n).toBe(1899);
    const [closing] = await db.sql<{ n: number }[]>`
      select count(private.append_generation_event(${id}, 'Status', '{"status":"running"}'::jsonb))::int as n
        from generate_series(1, 200)`;
    expect(closing!.n).toBe(100);
    const [last] = await db.sql`select max(seq) as seq, count(*)::int as n
                                  from public.generation_events where generation_id = ${id}`;
    expect(last).toEqual({ seq: 2000, n: 2000 });
  });
});

describe('the Realtime channel generation:<id>', () => {
  it('lets members receive and announce themselves, never broadcast', async () => {
    // (The viewer has a second factor since the test above; owner and editor are plain members.)
    for (const member of [w.owner, w.editor]) {
      expect(await channelAccess(claimsOf(member), `generation:${w.generation}`)).toEqual({
        broadcast: true,
        presence: true,
        send: false,
        announce: true,
      });
    }
  });

  it('refuses strangers, other topics and malformed ids without an error', async () => {
    const none = { broadcast: false, presence: false, send: false, announce: false };
    expect(await channelAccess(claimsOf(w.stranger), `generation:${w.generation}`)).toEqual(none);
    for (const topic of [
      `project:${w.generation}`,
      'generation:not-a-uuid',
      'generation:',
      'generation',
    ]) {
      expect(await channelAccess(claimsOf(w.owner), topic)).toEqual(none);
    }
  });
});
