import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import { containsPattern } from '../identity/users.ts';

export type Role = 'owner' | 'editor' | 'viewer';

/** A project with the caller's role in it (null for an administrator who is not a member). */
export interface ProjectRow {
  id: string;
  ownerId: string;
  name: string;
  description: string | null;
  settings: Record<string, unknown>;
  role: Role | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ProjectSort = 'updated_at' | 'name';

export interface ProjectFields {
  name?: string;
  description?: string | null;
  settings?: Record<string, unknown>;
}

// `me` is the caller's own membership row, joined for their role; RLS decides the rest.
const columns = (tx: Tx) => tx`
  p.id, p.owner_id as "ownerId", p.name, p.description, p.settings, me.role,
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;

const keysets = (tx: Tx): Record<ProjectSort, Keyset> => ({
  updated_at: { key: tx`p.updated_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' },
  name: { key: tx`p.name`, keyType: 'text', id: tx`p.id`, idType: 'uuid' },
});

/**
 * One project, or undefined when there is none or RLS hides it (members, and holders of
 * `projects:read_all`, see it): callers answer both with the same 404.
 */
export async function findProject(tx: Tx, id: string): Promise<ProjectRow | undefined> {
  const [row] = await projectById(tx, id);
  return row;
}

/** `findProject` as one statement, unsent: its one row, or none (missing or hidden). */
export function projectById(tx: Tx, id: string) {
  return tx<ProjectRow[]>`
    select ${columns(tx)}
      from public.projects p
      left join public.project_members me
        on me.project_id = p.id and me.user_id = (select auth.uid())
     where p.id = ${id}::uuid`;
}

/** Creates a project owned by the caller; a trigger makes them its `owner` member. */
export async function createProject(tx: Tx, fields: Required<ProjectFields>): Promise<string> {
  // The read policy admits the owner by owner_id, so RETURNING passes before that trigger runs.
  const [row] = await tx<{ id: string }[]>`
    insert into public.projects (owner_id, name, description, settings)
    values ((select auth.uid()), ${fields.name}, ${fields.description},
            ${tx.json(fields.settings as postgres.JSONValue)})
    returning id`;
  if (!row) throw new Error('insert returned no row');
  return row.id;
}

/** Applies the fields given; false when RLS let no row change (not the caller's to edit). */
export async function updateProject(tx: Tx, id: string, fields: ProjectFields): Promise<boolean> {
  // Each column is set from its bound value or to itself: no SQL text ever comes from input.
  const name = fields.name !== undefined ? tx`${fields.name}` : tx`p.name`;
  const description =
    fields.description !== undefined ? tx`${fields.description}` : tx`p.description`;
  const settings =
    fields.settings !== undefined
      ? tx`${tx.json(fields.settings as postgres.JSONValue)}`
      : tx`p.settings`;
  const rows = await tx`
    update public.projects p
       set name = ${name}, description = ${description}, settings = ${settings}
     where p.id = ${id}::uuid`;
  return rows.count > 0;
}

/** Deletes a project (its members, generations and messages cascade); false when RLS refused. */
export async function deleteProject(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`delete from public.projects where id = ${id}::uuid`;
  return rows.count > 0;
}

/** Hands the project to another member, through the function that enforces who may. */
export async function transferProject(tx: Tx, id: string, newOwner: string): Promise<void> {
  await tx`select private.transfer_project(${id}::uuid, ${newOwner}::uuid)`;
}

/**
 * One page of the projects the caller is a member of (an administrator's list is theirs too:
 * `projects:read_all` is for reaching a project by id, not for crowding this list), as one
 * statement not yet sent, so a door can send it in one round trip (`queryAsCaller`).
 */
export function listProjects(
  tx: Tx,
  opts: { q?: string; sort: ProjectSort; order: Order; after?: Position; limit: number },
) {
  const ks = keysets(tx)[opts.sort];
  const pattern = opts.q ? containsPattern(opts.q) : undefined;
  return tx<Array<ProjectRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.projects p
      join public.project_members me
        on me.project_id = p.id and me.user_id = (select auth.uid())
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${pattern ? tx`and p.name ilike ${pattern}` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
