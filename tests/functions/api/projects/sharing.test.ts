import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtures, type TestUser, useApi } from '../fixtures.ts';
import { projectFixtures, sansRequestId } from './helpers.ts';

const fx = useApi();
const { signUp, api } = fixtures(fx);
const { newProject, share, post, seedGeneration, generationsSeenBy, childCounts, auditOf } =
  projectFixtures(fx);

describe('sharing a project', () => {
  it('shows both members each other’s messages and generations, until one is removed', async () => {
    const [ada, grace, stranger] = [await signUp(), await signUp(), await signUp()];
    const id = await newProject(ada);
    const added = await share(ada, id, { email: grace.email.toUpperCase(), role: 'editor' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ user_id: grace.id, role: 'editor', added_by: ada.id });

    const listed = await api('/projects', { token: grace.token });
    expect(listed.body.data).toMatchObject([{ id, role: 'editor', owner_id: ada.id }]);

    const genA = await seedGeneration(id, ada);
    const genG = await seedGeneration(id, grace);
    expect((await post(ada, id, { content: 'Add a chat screen' })).status).toBe(201);
    const reply = await post(grace, id, {
      content: 'void main() {}',
      kind: 'code',
      generation_id: genA,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      author_id: grace.id,
      author_kind: 'user',
      generation_id: genA,
    });

    for (const user of [ada, grace]) {
      const messages = await api(`/projects/${id}/messages`, { token: user.token });
      expect(messages.body.data.map((m: { author_id: string }) => m.author_id)).toEqual([
        ada.id,
        grace.id,
      ]);
      expect(await generationsSeenBy(user, id)).toEqual([genA, genG].sort());
    }
    expect(await generationsSeenBy(stranger, id)).toEqual([]);

    const members = await api(`/projects/${id}/members`, { token: grace.token });
    expect(
      members.body.data.map((m: { user_id: string; role: string }) => [m.user_id, m.role]),
    ).toEqual([
      [ada.id, 'owner'],
      [grace.id, 'editor'],
    ]);

    expect(
      (await api(`/projects/${id}/members/${grace.id}`, { token: ada.token, method: 'DELETE' }))
        .status,
    ).toBe(204);
    const missing = await api(`/projects/${randomUUID()}`, { token: grace.token });
    for (const path of [`/projects/${id}`, `/projects/${id}/members`, `/projects/${id}/messages`]) {
      const res = await api(path, { token: grace.token });
      expect(res.status).toBe(404);
      expect(sansRequestId(res.body)).toEqual(sansRequestId(missing.body));
    }
    expect((await post(grace, id, { content: 'still here?' })).status).toBe(404);
    expect(await generationsSeenBy(grace, id)).toEqual([]);
    expect((await api('/projects', { token: grace.token })).body.data).toEqual([]);

    const events = (await auditOf(id)).map((e) => [e.action, e.metadata]);
    expect(events).toEqual([
      ['project.member_added', { user_id: grace.id, role: 'editor', by_email: true }],
      ['project.member_removed', { user_id: grace.id, role: 'editor', self: false }],
    ]);
  });
});

describe('ownership and leaving', () => {
  it('transfers ownership to a member; the old owner stays as editor', async () => {
    const [ada, grace, outsider] = [await signUp(), await signUp(), await signUp()];
    const id = await newProject(ada);
    await share(ada, id, { user_id: grace.id, role: 'viewer' });
    const transfer = (user: TestUser, to: string) =>
      api(`/projects/${id}/transfer`, { token: user.token, json: { user_id: to } });

    const notMember = await transfer(ada, outsider.id);
    expect(notMember.status).toBe(422);
    expect(notMember.body.errors[0].path).toBe('body.user_id');
    expect((await transfer(ada, ada.id)).status).toBe(409);

    const res = await transfer(ada, grace.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, owner_id: grace.id, role: 'editor' });
    expect((await api(`/projects/${id}`, { token: grace.token })).body.role).toBe('owner');
    // The previous owner lost the owner's rights; the new one has them.
    expect((await transfer(ada, ada.id)).status).toBe(403);
    expect(
      (await api(`/projects/${id}`, { token: ada.token, method: 'PUT', json: { name: 'x' } }))
        .status,
    ).toBe(403);
    expect(
      (await api(`/projects/${id}`, { token: grace.token, method: 'PUT', json: { name: 'y' } }))
        .status,
    ).toBe(200);

    const [event] = (await auditOf(id)).filter((e) => e.action === 'project.transferred');
    expect(event).toMatchObject({
      actor_id: ada.id,
      metadata: { from_user_id: ada.id, to_user_id: grace.id },
    });
  });

  it('lets a member leave, but not the owner', async () => {
    const [ada, grace] = [await signUp(), await signUp()];
    const id = await newProject(ada);
    await share(ada, id, { user_id: grace.id, role: 'viewer' });
    const leave = (user: TestUser) =>
      api(`/projects/${id}/members/${user.id}`, { token: user.token, method: 'DELETE' });
    const owner = await leave(ada);
    expect(owner.status).toBe(409);
    expect(owner.body.detail).toContain('transfer');
    expect((await leave(grace)).status).toBe(204);
    expect((await api(`/projects/${id}`, { token: grace.token })).status).toBe(404);
    const [event] = (await auditOf(id)).filter((e) => e.action === 'project.member_removed');
    expect(event).toMatchObject({
      actor_id: grace.id,
      metadata: { user_id: grace.id, self: true },
    });
  });

  it('deletes a project with its members, generations and messages', async () => {
    const [ada, grace] = [await signUp(), await signUp()];
    const id = await newProject(ada);
    await share(ada, id, { user_id: grace.id, role: 'editor' });
    const gen = await seedGeneration(id, grace);
    await post(grace, id, { content: 'About this generation', generation_id: gen });
    await post(ada, id, { content: 'Thanks' });
    expect(await childCounts(id)).toEqual({ projects: 1, members: 2, generations: 1, messages: 2 });

    expect((await api(`/projects/${id}`, { token: grace.token, method: 'DELETE' })).status).toBe(
      403,
    );
    expect((await api(`/projects/${id}`, { token: ada.token, method: 'DELETE' })).status).toBe(204);
    expect(await childCounts(id)).toEqual({ projects: 0, members: 0, generations: 0, messages: 0 });
    const [event] = (await auditOf(id)).filter((e) => e.action === 'project.deleted');
    expect(event).toMatchObject({ actor_id: ada.id, metadata: { owner_id: ada.id } });
  });

  it('refuses a message about another project’s generation', async () => {
    const ada = await signUp();
    const [mine, other] = [await newProject(ada, 'One'), await newProject(ada, 'Two')];
    const gen = await seedGeneration(other, ada);
    const res = await post(ada, mine, { content: 'Wrong project', generation_id: gen });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'body.generation_id', message: expect.any(String) }]);
  });

  it('answers 404 to an outsider whatever else is wrong with the message', async () => {
    const [ada, eve] = [await signUp(), await signUp()];
    const [hidden, other] = [await newProject(ada, 'Hidden'), await newProject(ada, 'Other')];
    const [its, elsewhere] = [await seedGeneration(hidden, ada), await seedGeneration(other, ada)];
    for (const generation_id of [undefined, its, elsewhere]) {
      const res = await post(eve, hidden, { content: 'Probe', generation_id });
      expect(res.status).toBe(404);
    }
    expect((await post(eve, randomUUID(), { content: 'Probe' })).status).toBe(404);
    expect(await childCounts(hidden)).toMatchObject({ messages: 0 });
  });
});
