import { describe, expect, it } from 'vitest';
import type { Tx } from '../../../shared/db/client.ts';
import { asService, asUser, type DbClaims } from '../../../shared/db/doors.ts';
import { writeAudit } from '../../../shared/identity/audit.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { claimsOf, createAuthUser, grant, pgError } from './fixtures.ts';

const db = useTestDatabase();

const event = { action: 'auth.login.failed', actorType: 'anonymous' as const };
const insertSql = `insert into public.audit_log (actor_type, action) values ('user', 'auth.login.succeeded')`;

/** Every way to change history, each expected to fail. */
const tamper = [
  "update public.audit_log set action = 'x.y'",
  'delete from public.audit_log',
  'truncate public.audit_log',
];

describe('audit log', () => {
  it('the service role appends events with every field', async () => {
    const actor = crypto.randomUUID();
    const row = await asService(db.sql, (tx) =>
      writeAudit(tx, {
        action: 'session.revoked',
        actorType: 'user',
        actorId: actor,
        targetType: 'session',
        targetId: 'abc',
        ip: '203.0.113.9',
        userAgent: 'x'.repeat(2000),
        requestId: 'req_1',
        metadata: { reason: 'user', nested: { count: 2 } },
      }),
    );
    expect(row.id).toMatch(/^\d+$/);
    const [stored] = await db.sql`select * from public.audit_log where id = ${row.id}`;
    expect(stored).toMatchObject({
      action: 'session.revoked',
      actor_type: 'user',
      actor_id: actor,
      target_type: 'session',
      target_id: 'abc',
      ip: '203.0.113.9',
      request_id: 'req_1',
      metadata: { reason: 'user', nested: { count: 2 } },
    });
    expect(stored?.user_agent).toHaveLength(512);
  });

  it('drops a malformed client address instead of losing the event', async () => {
    const row = await asService(db.sql, (tx) => writeAudit(tx, { ...event, ip: 'unknown' }));
    const [stored] = await db.sql`select ip from public.audit_log where id = ${row.id}`;
    expect(stored?.ip).toBeNull();
  });

  it('refuses bad actions, actor types and secret-looking metadata keys', async () => {
    const write = (e: Parameters<typeof writeAudit>[1]) => () =>
      asService(db.sql, (tx) => writeAudit(tx, e));
    expect(await pgError(write({ ...event, action: 'Login' }))).toBe('23514');
    expect(await pgError(write({ ...event, actorType: 'robot' as never }))).toBe('23514');
    for (const metadata of [
      { password: 'x' },
      { refresh_token: 'x' },
      { nested: { deeper: { client_Secret: 'x' } } },
      { list: [{ accessToken: 'x' }] },
    ]) {
      expect(await pgError(write({ ...event, metadata }))).toBe('23514');
    }
  });

  it('the service role cannot update, delete or truncate', async () => {
    await asService(db.sql, (tx) => writeAudit(tx, event));
    for (const q of tamper) {
      expect(await pgError(() => asService(db.sql, (tx) => tx.unsafe(q)))).toBe('42501');
    }
  });

  it('authenticated and anon can neither write nor change it', async () => {
    const id = await createAuthUser(db.sql);
    await grant(db.sql, id, 'admin');
    const roles: DbClaims[] = [claimsOf(id), { sub: id, role: 'anon' }];
    for (const claims of roles) {
      const as = (fn: (tx: Tx) => Promise<unknown>) => () => asUser(db.sql, claims, fn);
      expect(await pgError(as((tx) => tx.unsafe(insertSql)))).toBe('42501');
      expect(await pgError(as((tx) => writeAudit(tx, event)))).toBe('42501');
      for (const q of tamper) expect(await pgError(as((tx) => tx.unsafe(q)))).toBe('42501');
      expect(await pgError(as((tx) => tx`select setval('public.audit_log_id_seq', 1)`))).toBe(
        '42501',
      );
    }
  });

  it('the append-only trigger holds even against a mistaken grant', async () => {
    await asService(db.sql, (tx) => writeAudit(tx, event));
    await db.sql`grant update, delete on public.audit_log to service_role`;
    try {
      for (const q of tamper.slice(0, 2)) {
        expect(await pgError(() => asService(db.sql, (tx) => tx.unsafe(q)))).toBe('42501');
      }
    } finally {
      await db.sql`revoke update, delete on public.audit_log from service_role`;
    }
    // Not even the table owner rewrites history without first disabling the trigger.
    expect(await pgError(() => db.sql`delete from public.audit_log`)).toBe('42501');
  });

  it('only audit:read holders see it', async () => {
    await asService(db.sql, (tx) => writeAudit(tx, event));
    const reader = await createAuthUser(db.sql);
    const plain = await createAuthUser(db.sql);
    await grant(db.sql, reader, 'admin');
    const count = (sub: string) =>
      asUser(db.sql, claimsOf(sub), async (tx) => {
        const [row] = await tx`select count(*)::int as n from public.audit_log`;
        return row?.n;
      });
    const [all] = await db.sql`select count(*)::int as n from public.audit_log`;
    expect(await count(reader)).toBe(all?.n);
    expect(await count(plain)).toBe(0);
    expect(
      await pgError(() =>
        asUser(db.sql, { sub: plain, role: 'anon' }, (tx) => tx`select 1 from public.audit_log`),
      ),
    ).toBe('42501');
  });
});
