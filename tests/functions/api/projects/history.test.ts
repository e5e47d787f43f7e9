import { describe, expect, it } from 'vitest';
import { fixtures, type TestUser, useApi } from '../fixtures.ts';
import { projectFixtures } from './helpers.ts';

const fx = useApi();
const { signUp, signIn, admin, api } = fixtures(fx);
const { seedProject, post } = projectFixtures(fx);

/** Gives `user` a role holding `projects:read_history` and signs them in again to carry it. */
async function makeHistorian(user: TestUser): Promise<TestUser> {
  const sql = fx.auth.db.sql;
  await sql`insert into public.roles (name, description) values ('historian', 'Reads history')
            on conflict do nothing`;
  await sql`insert into public.role_permissions (role_id, permission_id)
            select r.id, p.id from public.roles r, public.permissions p
             where r.name = 'historian' and p.name in ('projects:read_history', 'projects:read_all')
            on conflict do nothing`;
  await sql`insert into public.user_roles (user_id, role_id)
            select ${user.id}, id from public.roles where name = 'historian'`;
  return signIn(user.email);
}

/** The history reads audited for `project`, by whom. */
const historyReads = (project: string) => fx.auth.db.sql<{ actor_id: string }[]>`
  select actor_id from public.audit_log
   where action = 'project.history_read' and target_id = ${project}`;

describe('GET /projects/{id}/messages for someone who is not a member', () => {
  it('is an empty page for an admin, and a read of the history only with projects:read_history, audited', async () => {
    const owner = await signUp();
    const project = await seedProject(owner);
    expect((await post(owner, project, { content: 'Make it blue' })).status).toBe(201);

    const root = await admin();
    const seen = await api(`/projects/${project}/messages`, { token: root.token });
    expect([seen.status, seen.body.data]).toEqual([200, []]);

    const historian = await makeHistorian(root);
    const read = await api(`/projects/${project}/messages`, { token: historian.token });
    expect(read.status).toBe(200);
    expect(read.body.data.map((m: { content: string }) => m.content)).toEqual(['Make it blue']);

    const sql = fx.auth.db.sql;
    const events = await sql<{ action: string; actor_id: string; target_id: string }[]>`
      select action, actor_id, target_id from public.audit_log
       where action = 'project.history_read'`;
    expect(events).toEqual([
      { action: 'project.history_read', actor_id: root.id, target_id: project },
    ]);

    // A member's own reads are not audited.
    await api(`/projects/${project}/messages`, { token: owner.token });
    const [count] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.audit_log where action = 'project.history_read'`;
    expect(count?.n).toBe(1);
  });
});

describe("a project's generations for someone who is not a member", () => {
  it('are hidden without projects:read_history, and every read with it is audited', async () => {
    const owner = await signUp();
    const project = await seedProject(owner);
    const started = await api(`/projects/${project}/generations`, {
      token: owner.token,
      json: { prompt: 'A todo list app' },
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const reads = [
      `/projects/${project}/generations`,
      `/generations/${id}`,
      `/generations/${id}/events`,
    ];

    const stranger = await signUp();
    const hidden = await Promise.all(reads.map((path) => api(path, { token: stranger.token })));
    expect(hidden.map((r) => r.status)).toEqual([404, 404, 404]);

    for (const path of reads) expect((await api(path, { token: owner.token })).status).toBe(200);
    expect(await historyReads(project)).toEqual([]);

    const historian = await makeHistorian(stranger);
    const seen = [];
    for (const path of reads) seen.push(await api(path, { token: historian.token }));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(seen[0]?.body.data.map((g: { id: string }) => g.id)).toEqual([id]);
    expect(await historyReads(project)).toEqual(reads.map(() => ({ actor_id: stranger.id })));
  });
});
