import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser } from '../../../../shared/db/doors.ts';
import { fixtures, useApi } from '../fixtures.ts';
import { projectFixtures, sansRequestId } from './helpers.ts';

const fx = useApi();
const { signUp, api } = fixtures(fx);
const { newProject, share, auditOf } = projectFixtures(fx);

describe('the members list', () => {
  it("shows people sharing a project each other's names, and no one else's", async () => {
    const ada = await signUp({ username: `ada_${randomUUID().slice(0, 6)}` });
    const grace = await signUp({ username: `grace_${randomUUID().slice(0, 6)}` });
    const outsider = await signUp();
    const id = await newProject(ada);
    expect((await share(ada, id, { user_id: grace.id, role: 'viewer' })).status).toBe(201);
    await fx.auth.db.sql`update public.profiles set first_name = 'Grace' where id = ${grace.id}`;

    const seenByGrace = await api(`/projects/${id}/members`, { token: grace.token });
    const names = seenByGrace.body.data.map((m: { user_id: string; username: string }) => [
      m.user_id,
      m.username,
    ]);
    expect(names).toEqual(
      expect.arrayContaining([
        [ada.id, expect.stringMatching(/^ada_/)],
        [grace.id, expect.stringMatching(/^grace_/)],
      ]),
    );
    expect(
      seenByGrace.body.data.find((m: { user_id: string }) => m.user_id === grace.id),
    ).toMatchObject({
      first_name: 'Grace',
      role: 'viewer',
    });
    // The profile window opens only to people who share a project, nothing wider.
    const seen = (as: string) =>
      asUser(
        fx.auth.db.sql,
        { sub: as, role: 'authenticated' },
        (tx) => tx`select username from private.co_member_profile(${grace.id}::uuid)`,
      );
    expect(await seen(ada.id)).toHaveLength(1);
    expect(await seen(outsider.id)).toHaveLength(0);
  });
});

describe('managing members', () => {
  it('answers the sharing errors without revealing more than needed', async () => {
    const [ada, grace, viewer] = [await signUp(), await signUp(), await signUp()];
    const id = await newProject(ada);
    expect((await share(ada, id, { user_id: viewer.id, role: 'viewer' })).status).toBe(201);

    const unknown = await share(ada, id, { email: 'nobody-here@example.com', role: 'viewer' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    const ghost = await share(ada, id, { user_id: randomUUID(), role: 'viewer' });
    expect(sansRequestId(ghost.body)).toEqual(sansRequestId(unknown.body));
    expect(unknown.body.detail).not.toContain('nobody-here');

    expect((await share(ada, id, { user_id: viewer.id, role: 'editor' })).status).toBe(409);
    expect((await share(ada, id, { user_id: ada.id, role: 'editor' })).status).toBe(409);
    for (const [json, path] of [
      [{ user_id: grace.id, role: 'owner' }, 'body.role'],
      [{ user_id: grace.id }, 'body.role'],
      [{ role: 'viewer' }, 'body.email'],
      [{ email: grace.email, user_id: grace.id, role: 'viewer' }, 'body.email'],
      [{ email: 'not-an-email', role: 'viewer' }, 'body.email'],
    ] as const) {
      const res = await share(ada, id, json);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    // A viewer may not share, and learns nothing about the address from trying.
    const probe = await share(viewer, id, { email: 'nobody-here@example.com', role: 'viewer' });
    expect(probe.status).toBe(403);
  });

  it('rate-limits sharing by email per caller', async () => {
    const ada = await signUp();
    const id = await newProject(ada);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await share(ada, id, { email: `nobody-${i}@example.com`, role: 'viewer' })).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    const limited = await share(ada, id, { email: 'nobody-x@example.com', role: 'viewer' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Sharing by id is not an address lookup, so it is not counted.
    const grace = await signUp();
    expect((await share(ada, id, { user_id: grace.id, role: 'viewer' })).status).toBe(201);
  });

  it('changes roles, but never the owner’s', async () => {
    const [ada, grace] = [await signUp(), await signUp()];
    const id = await newProject(ada);
    await share(ada, id, { user_id: grace.id, role: 'viewer' });
    const path = `/projects/${id}/members/${grace.id}`;
    const res = await api(path, { token: ada.token, method: 'PATCH', json: { role: 'editor' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('editor');
    const self = await api(path, { token: grace.token, method: 'PATCH', json: { role: 'viewer' } });
    expect(self.status).toBe(403);
    const owner = `/projects/${id}/members/${ada.id}`;
    expect(
      (await api(owner, { token: ada.token, method: 'PATCH', json: { role: 'editor' } })).status,
    ).toBe(409);
    expect(
      (await api(owner, { token: ada.token, method: 'PATCH', json: { role: 'owner' } })).status,
    ).toBe(422);
    const nobody = `/projects/${id}/members/${randomUUID()}`;
    expect(
      (await api(nobody, { token: ada.token, method: 'PATCH', json: { role: 'viewer' } })).status,
    ).toBe(404);
    expect((await auditOf(id)).map((e) => e.action)).toContain('project.member_role_changed');
  });
});
