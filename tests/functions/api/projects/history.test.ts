import { describe, expect, it } from 'vitest';
import { fixtures, useApi } from '../fixtures.ts';
import { projectFixtures } from './helpers.ts';

const fx = useApi();
const { signUp, signIn, admin, api } = fixtures(fx);
const { seedProject, post } = projectFixtures(fx);

describe('GET /projects/{id}/messages for someone who is not a member', () => {
  it('is an empty page for an admin, and a read of the history only with projects:read_history, audited', async () => {
    const owner = await signUp();
    const project = await seedProject(owner);
    expect((await post(owner, project, { content: 'Make it blue' })).status).toBe(201);

    const root = await admin();
    const seen = await api(`/projects/${project}/messages`, { token: root.token });
    expect([seen.status, seen.body.data]).toEqual([200, []]);

    const sql = fx.auth.db.sql;
    await sql`insert into public.roles (name, description) values ('historian', 'Reads history')`;
    await sql`insert into public.role_permissions (role_id, permission_id)
              select r.id, p.id from public.roles r, public.permissions p
               where r.name = 'historian' and p.name in ('projects:read_history', 'projects:read_all')`;
    await sql`insert into public.user_roles (user_id, role_id)
              select ${root.id}, id from public.roles where name = 'historian'`;
    const historian = await signIn(root.email);
    const read = await api(`/projects/${project}/messages`, { token: historian.token });
    expect(read.status).toBe(200);
    expect(read.body.data.map((m: { content: string }) => m.content)).toEqual(['Make it blue']);

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
