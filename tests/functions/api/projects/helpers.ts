import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DEMO_SERVICE_ROLE_KEY } from '../../../../scripts/local/keys.ts';
import type { DbClaims } from '../../../../shared/db/doors.ts';
import { asUser } from '../../../../shared/db/doors.ts';
import type { FunctionsHarness } from '../../../helpers/functions.ts';
import { fixtures, type TestUser } from '../fixtures.ts';

export type Role = 'owner' | 'editor' | 'viewer';

/** The service-role key as a bearer token: authenticated, but not a user. */
export const SERVICE_TOKEN = DEMO_SERVICE_ROLE_KEY;

/** A problem body without its request id, to compare two answers for equality. */
export function sansRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _, ...rest } = body;
  return rest;
}

/** Fixtures for the project suites, arranged in SQL so no route under test builds them. */
export function projectFixtures(fx: FunctionsHarness) {
  const { api } = fixtures(fx);

  /** A project created through the API by `owner`. */
  async function newProject(owner: TestUser, name = 'Shared app'): Promise<string> {
    const res = await api('/projects', { token: owner.token, json: { name } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const share = (owner: TestUser, projectId: string, json: Record<string, unknown>) =>
    api(`/projects/${projectId}/members`, { token: owner.token, json });

  const post = (user: TestUser, projectId: string, json: Record<string, unknown>) =>
    api(`/projects/${projectId}/messages`, { token: user.token, json });

  /**
   * A project owned by `owner` with `members` added, written as the superuser: the insert
   * trigger still makes the owner a member, as it does for the API.
   */
  async function seedProject(
    owner: TestUser,
    members: Array<[TestUser, Exclude<Role, 'owner'>]> = [],
    name = `Project ${randomUUID().slice(0, 8)}`,
  ): Promise<string> {
    const sql = fx.auth.db.sql;
    const [row] = await sql<{ id: string }[]>`
      insert into public.projects (owner_id, name) values (${owner.id}, ${name}) returning id`;
    const id = row!.id;
    for (const [user, role] of members) {
      await sql`
        insert into public.project_members (project_id, user_id, role, added_by)
        values (${id}, ${user.id}, ${role}, ${owner.id})`;
    }
    return id;
  }

  /** A generation in the project, inserted as the worker would (bypassing RLS). */
  async function seedGeneration(projectId: string, requestedBy: TestUser): Promise<string> {
    const [row] = await fx.auth.db.sql<{ id: string }[]>`
      insert into public.code_generations (project_id, requested_by, prompt)
      values (${projectId}, ${requestedBy.id}, 'Add a chat screen') returning id`;
    return row!.id;
  }

  /** The generation ids of a project that `user` can read, asked of PostgreSQL under RLS. */
  async function generationsSeenBy(user: TestUser, projectId: string): Promise<string[]> {
    const claims: DbClaims = { sub: user.id, role: 'authenticated' };
    const rows = await asUser(
      fx.auth.db.sql,
      claims,
      (tx) => tx<{ id: string }[]>`
        select id from public.code_generations where project_id = ${projectId} order by id`,
    );
    return rows.map((r) => r.id);
  }

  /** How many rows each table still holds for a project. */
  async function childCounts(projectId: string) {
    const [row] = await fx.auth.db.sql<
      { members: number; generations: number; messages: number; projects: number }[]
    >`
      select
        (select count(*)::int from public.project_members m where m.project_id = ${projectId})
          as members,
        (select count(*)::int from public.code_generations g where g.project_id = ${projectId})
          as generations,
        (select count(*)::int from public.project_messages x where x.project_id = ${projectId})
          as messages,
        (select count(*)::int from public.projects p where p.id = ${projectId}) as projects`;
    return row!;
  }

  /** The audit events about a project, oldest first. */
  async function auditOf(projectId: string) {
    return fx.auth.db.sql<
      { action: string; actor_id: string; metadata: Record<string, unknown> }[]
    >`
      select action, actor_id, metadata from public.audit_log
       where target_type = 'project' and target_id = ${projectId} order by id`;
  }

  return {
    newProject,
    share,
    post,
    seedProject,
    seedGeneration,
    generationsSeenBy,
    childCounts,
    auditOf,
  };
}
