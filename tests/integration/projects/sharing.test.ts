import { describe, expect, it } from 'vitest';
import type { Pool as Sql } from '../../../shared/db/client.ts';
import { asService, asUser } from '../../../shared/db/doors.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, pgError, uniqueEmail } from '../identity/fixtures.ts';
import { createProject, DENIED, postMessage, requestGeneration } from './fixtures.ts';

const db = useTestDatabase();

/** Everything of `project` that `user` can see through RLS, counted per table. */
async function visibleTo(sql: Sql, user: string, project: string) {
  return asUser(sql, claimsOf(user), async (tx) => {
    const [row] = await tx`
      select (select count(*) from public.projects where id = ${project})::int as projects,
             (select count(*) from public.project_members where project_id = ${project})::int as members,
             (select count(*) from public.code_generations where project_id = ${project})::int as generations,
             (select count(*) from public.project_messages where project_id = ${project})::int as messages`;
    return row;
  });
}

/** Alice owns a project and shares it with Bob, found by his email, as an editor. */
async function sharedProject() {
  const bobEmail = uniqueEmail('bob');
  const alice = await createAuthUser(db.sql);
  const bob = await createAuthUser(db.sql, { email: bobEmail });
  const project = await createProject(db.sql, alice, 'Team app');
  await asUser(db.sql, claimsOf(alice), async (tx) => {
    const [found] = await tx`select private.find_user_id_by_email(${bobEmail}) as id`;
    await tx`insert into public.project_members (project_id, user_id, role)
             values (${project}, ${found?.id}, 'editor')`;
  });
  return { alice, bob, project };
}

describe('a shared project', () => {
  it("shows both members each other's messages and generations", async () => {
    const { alice, bob, project } = await sharedProject();
    await postMessage(db.sql, alice, project, 'Can you add a settings page?');
    await postMessage(db.sql, bob, project, 'On it');
    const generation = await requestGeneration(db.sql, bob, project, 'Add a settings page');

    // The worker moves the generation on and answers in the conversation.
    await asService(db.sql, async (tx) => {
      await tx`update public.code_generations set status = 'running', started_at = now()
                where id = ${generation}`;
      await tx`update public.code_generations
                  set status = 'succeeded', finished_at = now(), result = '{"files":["lib/settings.dart"]}'
                where id = ${generation}`;
      await tx`insert into public.project_messages (project_id, generation_id, author_kind, kind, content)
               values (${project}, ${generation}, 'assistant', 'code', 'class SettingsPage {}')`;
    });

    for (const user of [alice, bob]) {
      const seen = await asUser(db.sql, claimsOf(user), async (tx) => ({
        messages: (
          await tx`select author_id, author_kind from public.project_messages
                    where project_id = ${project} order by created_at, id`
        ).map(
          (m) =>
            `${m.author_kind}:${m.author_id === alice ? 'alice' : m.author_id === bob ? 'bob' : '-'}`,
        ),
        generations: await tx`select requested_by, status from public.code_generations
                               where project_id = ${project}`,
      }));
      expect(seen.messages.sort()).toEqual(['assistant:-', 'user:alice', 'user:bob']);
      expect(seen.generations).toEqual([{ requested_by: bob, status: 'succeeded' }]);
    }
  });

  it('hides everything from a member once the owner removes them', async () => {
    const { alice, bob, project } = await sharedProject();
    await postMessage(db.sql, bob, project, 'Mine');
    await requestGeneration(db.sql, bob, project, 'Mine too');
    expect(await visibleTo(db.sql, bob, project)).toEqual({
      projects: 1,
      members: 2,
      generations: 1,
      messages: 1,
    });

    const removed = await asUser(
      db.sql,
      claimsOf(alice),
      (tx) =>
        tx`delete from public.project_members where project_id = ${project} and user_id = ${bob}`,
    );
    expect(removed.count).toBe(1);

    expect(await visibleTo(db.sql, bob, project)).toEqual({
      projects: 0,
      members: 0,
      generations: 0,
      messages: 0,
    });
    expect(await pgError(() => postMessage(db.sql, bob, project, 'Let me back in'))).toBe(DENIED);
    // What Bob wrote stays with the project, which Alice still sees whole.
    expect(await visibleTo(db.sql, alice, project)).toEqual({
      projects: 1,
      members: 1,
      generations: 1,
      messages: 1,
    });
  });

  it('lets a member leave on their own', async () => {
    const { bob, project } = await sharedProject();
    const left = await asUser(
      db.sql,
      claimsOf(bob),
      (tx) =>
        tx`delete from public.project_members where project_id = ${project} and user_id = ${bob}`,
    );
    expect(left.count).toBe(1);
    expect((await visibleTo(db.sql, bob, project))?.projects).toBe(0);
  });

  it('removes members, generations and messages with the project', async () => {
    const { alice, bob, project } = await sharedProject();
    const generation = await requestGeneration(db.sql, bob, project, 'Build it');
    await postMessage(db.sql, alice, project, 'Hello');
    await asService(
      db.sql,
      (
        tx,
      ) => tx`insert into public.project_messages (project_id, generation_id, author_kind, content)
                 values (${project}, ${generation}, 'system', 'Queued')`,
    );

    const deleted = await asUser(
      db.sql,
      claimsOf(alice),
      (tx) => tx`delete from public.projects where id = ${project}`,
    );
    expect(deleted.count).toBe(1);

    const [left] = await db.sql`
      select (select count(*) from public.projects where id = ${project})::int as projects,
             (select count(*) from public.project_members where project_id = ${project})::int as members,
             (select count(*) from public.code_generations where project_id = ${project})::int as generations,
             (select count(*) from public.project_messages where project_id = ${project})::int as messages`;
    expect(left).toEqual({ projects: 0, members: 0, generations: 0, messages: 0 });
  });

  it('keeps the history, anonymised, when a member deletes their account', async () => {
    const { alice, bob, project } = await sharedProject();
    await postMessage(db.sql, bob, project, 'Bye');
    await requestGeneration(db.sql, bob, project, 'Last one');
    await db.sql`delete from auth.users where id = ${bob}`;

    const [row] = await asUser(
      db.sql,
      claimsOf(alice),
      (tx) => tx`
        select (select count(*) filter (where author_id is null)
                  from public.project_messages where project_id = ${project})::int as anonymous_messages,
               (select count(*) filter (where requested_by is null)
                  from public.code_generations where project_id = ${project})::int as anonymous_generations,
               (select count(*) from public.project_members where project_id = ${project})::int as members`,
    );
    expect(row).toEqual({ anonymous_messages: 1, anonymous_generations: 1, members: 1 });
  });
});
