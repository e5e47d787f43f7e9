import { decodeJwt } from 'jose';
import { fixtures, type TestUser } from '../functions/api/fixtures.ts';
import type { FunctionsHarness } from '../helpers/functions.ts';
import { PASSWORD } from '../helpers/people.ts';
import type { RefName } from './schema-arbitrary.ts';

interface Actor extends TestUser {
  project: string;
}

/**
 * The rows the fuzzer aims at: a signed-in user and their project, an admin, and a victim
 * whose rows nobody but an admin may touch. The victim never sends a request. Requests can
 * sign the user out, ban them or delete their project; `repair()` puts the world back.
 */
export class World {
  private actors: Partial<Record<'user' | 'victim' | 'admin', Actor>> = {};
  private readonly fx: ReturnType<typeof fixtures>;
  private readonly harness: FunctionsHarness;

  constructor(harness: FunctionsHarness) {
    this.harness = harness;
    this.fx = fixtures(harness);
  }

  get user(): Actor {
    return this.get('user');
  }
  get victim(): Actor {
    return this.get('victim');
  }
  get admin(): Actor {
    return this.get('admin');
  }

  private get(name: 'user' | 'victim' | 'admin'): Actor {
    const actor = this.actors[name];
    if (!actor) throw new Error('call repair() first');
    return actor;
  }

  /** Ids that answers have shown, newest first, so later requests can aim at them. */
  private seen: string[] = [];

  /** Remembers the ids in an answer (at most 16 in all). */
  remember(text: string): void {
    const ids = text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    this.seen = [...new Set([...ids, ...this.seen])].slice(0, 16);
  }

  /** Every person of the world and their project. */
  ids(): string[] {
    return (['user', 'victim', 'admin'] as const).flatMap((n) => [
      this.get(n).id,
      this.get(n).project,
    ]);
  }

  /** The value a generated `Ref` stands for, now. */
  lookup(ref: RefName, index = 0): string {
    if (ref === 'seen') return this.seen[index % this.seen.length] ?? this.user.project;
    const [who, what] = ref.split('.') as ['user' | 'victim' | 'admin', string];
    const actor = this.get(who);
    if (what === 'id') return actor.id;
    if (what === 'email') return actor.email;
    if (what === 'session') return actor.sessionId;
    return actor.project;
  }

  /**
   * Makes every actor signed in with a live session and owning an existing project again.
   * Cheap when nothing changed: one query per actor. True when it had to change something.
   */
  async repair(): Promise<boolean> {
    let repaired = await this.resetGrants();
    for (const name of ['user', 'victim', 'admin'] as const) {
      const actor = this.actors[name];
      if (actor && (await this.intact(actor))) continue;
      this.actors[name] = await this.revive(name, actor);
      repaired = true;
    }
    return repaired;
  }

  /** The `user` role's permissions as the migrations seed them, read on the first repair. */
  private userRoleGrants?: string[];

  /**
   * Admin requests may grant the user or the victim a role, or give the `user` role more
   * permissions; either would let them change what is not theirs, legitimately. Puts both
   * back: the two hold `user` alone, and `user` holds what it held at the start.
   */
  private async resetGrants(): Promise<boolean> {
    const sql = this.harness.auth.db.sql;
    this.userRoleGrants ??= (
      await sql<{ id: string }[]>`
        select rp.permission_id::text as id from public.role_permissions rp
          join public.roles r on r.id = rp.role_id and r.name = 'user'`
    ).map((r) => r.id);
    const people = (['user', 'victim'] as const).flatMap((n) => this.actors[n]?.id ?? []);
    const roles = await sql`
      delete from public.user_roles ur using public.roles r
       where r.id = ur.role_id and r.name <> 'user' and ur.user_id = any(${people}::uuid[])`;
    const grants = await sql`
      delete from public.role_permissions rp using public.roles r
       where r.id = rp.role_id and r.name = 'user'
         and rp.permission_id <> all(${this.userRoleGrants}::uuid[])`;
    return roles.count + grants.count > 0;
  }

  /** Whether the actor's session is live, the account usable and the project theirs. */
  private async intact(actor: Actor): Promise<boolean> {
    const [row] = await this.harness.auth.db.sql<{ ok: boolean }[]>`
      select private.session_active(${actor.sessionId}::uuid)
         and exists (select 1 from auth.users u where u.id = ${actor.id}
                      and (u.banned_until is null or u.banned_until < now()))
         and exists (select 1 from public.projects p
                      where p.id = ${actor.project} and p.owner_id = ${actor.id}) as ok`;
    return row?.ok === true;
  }

  /** Signs in again, or undefined when Auth refuses (banned, deleted, locked out). */
  private async signIn(email: string): Promise<TestUser | undefined> {
    const { data } = await this.harness.auth
      .client()
      .auth.signInWithPassword({ email, password: PASSWORD });
    if (!data.session || !data.user) return undefined;
    const token = data.session.access_token;
    const claims = decodeJwt<{ session_id: string }>(token);
    return {
      id: data.user.id,
      email,
      token,
      refreshToken: data.session.refresh_token,
      sessionId: claims.session_id,
    };
  }

  private async revive(name: 'user' | 'victim' | 'admin', actor?: Actor): Promise<Actor> {
    let person: TestUser | undefined = actor;
    if (person && (await this.fx.api('/users/me', { token: person.token })).status !== 200) {
      person = await this.signIn(person.email);
      // Banned, deleted or locked out: a new person takes the part.
      if (person && (await this.fx.api('/users/me', { token: person.token })).status !== 200) {
        person = undefined;
      }
    }
    person ??= name === 'admin' ? await this.fx.admin() : await this.fx.signUp();
    const [owned] = await this.harness.auth.db.sql<{ id: string }[]>`
      select id from public.projects where owner_id = ${person.id}
       order by (id = ${actor?.project ?? null}::uuid) desc nulls last limit 1`;
    let project = owned?.id;
    if (!project) {
      const created = await this.fx.api('/projects', {
        token: person.token,
        json: { name: `${name}'s project` },
      });
      if (created.status !== 201) throw new Error(`cannot create a project: ${created.status}`);
      project = created.body.id as string;
    }
    return { ...person, project };
  }
}
