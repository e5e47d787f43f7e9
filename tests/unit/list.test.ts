import { describe, expect, it } from 'vitest';
import { asOwner } from '../../shared/db/doors.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../../shared/db/keyset.ts';
import { AppError } from '../../shared/errors.ts';
import { cursorCodec } from '../../shared/http/cursor.ts';
import { listQuerySchema, toPage } from '../../shared/http/list.ts';
import { useTestDatabase } from '../helpers/db.ts';

const SECRET = 'a-test-secret-of-reasonable-length';
const codec = cursorCodec(SECRET, 'things');
const position: Position = {
  sort: 'created_at',
  order: 'desc',
  key: '2026-01-01T00:00:00.123456Z',
  id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
};

/** The 422 a bad cursor must raise, with its field path. */
async function cursorError(fn: () => Promise<unknown>) {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(422);
  expect((err as AppError).errors?.[0]?.path).toBe('query.cursor');
}

describe('listQuerySchema', () => {
  const schema = listQuerySchema({ sort: ['created_at', 'name'] });

  it('fills defaults: limit 20, the first sort, desc', () => {
    expect(schema.parse({})).toEqual({ limit: 20, sort: 'created_at', order: 'desc' });
    expect(listQuerySchema({ sort: ['x'], defaultOrder: 'asc' }).parse({}).order).toBe('asc');
  });

  it('coerces limit from the query string and bounds it to 1..100', () => {
    expect(schema.parse({ limit: '100' }).limit).toBe(100);
    for (const limit of ['0', '101', '2.5', 'ten'])
      expect(schema.safeParse({ limit }).success).toBe(false);
  });

  it('accepts only the allow-listed sorts and orders', () => {
    expect(schema.safeParse({ sort: 'name', order: 'asc' }).success).toBe(true);
    expect(schema.safeParse({ sort: 'password' }).success).toBe(false);
    expect(schema.safeParse({ order: 'sideways' }).success).toBe(false);
  });
});

describe('cursorCodec', () => {
  it('round-trips a position as an opaque base64url string', async () => {
    const cursor = await codec.encode(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await codec.decode({ cursor, sort: 'created_at', order: 'desc' })).toEqual(position);
    expect(await codec.decode({ sort: 'created_at', order: 'desc' })).toBeUndefined();
  });

  it('rejects altered, garbled and forged cursors with 422 at query.cursor', async () => {
    const cursor = await codec.encode(position);
    const flipped = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const forged = btoa(
      JSON.stringify(['created_at', 'desc', position.key, position.id]) + 'x'.repeat(16),
    )
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    for (const bad of [flipped, cursor.slice(0, -2), 'not base64!', 'AAAA', forged]) {
      await cursorError(() => codec.decode({ cursor: bad, sort: 'created_at', order: 'desc' }));
    }
  });

  it("rejects another endpoint's cursor, another secret's, and a change of sort or order", async () => {
    const cursor = await codec.encode(position);
    const q = { cursor, sort: 'created_at', order: 'desc' as Order };
    await cursorError(() => cursorCodec(SECRET, 'other').decode(q));
    await cursorError(() => cursorCodec('another-secret', 'things').decode(q));
    await cursorError(() => codec.decode({ ...q, order: 'asc' }));
    await cursorError(() => codec.decode({ ...q, sort: 'name' }));
  });
});

describe('toPage', () => {
  const rows = [1, 2, 3].map((n) => ({ id: `id${n}`, sortKey: `k${n}`, n }));

  it('shows `limit` rows and points the cursor at the last one shown', async () => {
    const query = { limit: 2, sort: 'name', order: 'asc' as Order };
    const page = await toPage(codec, query, rows, (r) => r.n);
    expect(page.data).toEqual([1, 2]);
    expect(await codec.decode({ ...query, cursor: page.next_cursor ?? undefined })).toMatchObject({
      key: 'k2',
      id: 'id2',
    });
  });

  it('has no next cursor on the last page', async () => {
    const page = await toPage(codec, { limit: 3, sort: 'name', order: 'asc' }, rows, (r) => r.n);
    expect(page).toEqual({ data: [1, 2, 3], next_cursor: null });
  });
});

describe('keyset SQL', () => {
  const db = useTestDatabase();

  const keysetFor = (keyOf: 'at' | 'name'): Keyset =>
    keyOf === 'at'
      ? { key: db.sql`t.at`, keyType: 'timestamptz', id: db.sql`t.id`, idType: 'bigint' }
      : { key: db.sql`t.name`, keyType: 'text', id: db.sql`t.id`, idType: 'bigint' };

  /** Walks every page of a sort and returns the ids in the order they came. */
  async function walk(keyOf: 'at' | 'name', order: Order, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let after: Position | undefined;
    for (let i = 0; i < 20; i++) {
      const ks = keysetFor(keyOf);
      const rows = await asOwner(
        db.sql,
        (tx) => tx<{ id: string; sortKey: string }[]>`
          select t.id::text as id, ${keysetKeyText(tx, ks)} as "sortKey" from keyset_things t
           where ${keysetAfter(tx, ks, order, after)} order by ${keysetOrder(tx, ks, order)}
           limit ${limit + 1}`,
      );
      const page = await toPage(codec, { limit, sort: keyOf, order }, rows, (r) => r.id);
      seen.push(...page.data);
      if (!page.next_cursor) return seen;
      after = await codec.decode({ cursor: page.next_cursor, sort: keyOf, order });
    }
    throw new Error('paging did not end');
  }

  it('pages through ties and microsecond-apart timestamps without gaps or repeats', async () => {
    await db.sql`create table keyset_things (id bigint primary key, at timestamptz not null, name text not null)`;
    await db.sql`
      insert into keyset_things (id, at, name) values
        (1, '2026-01-01 00:00:00.000001+00', 'b'), (2, '2026-01-01 00:00:00.000002+00', 'a'),
        (3, '2026-01-01 00:00:00.000002+00', 'c'), (4, '2026-01-01 00:00:00.000003+00', 'a'),
        (5, '2026-01-02 00:00:00+00', 'b'), (6, '2026-01-01 00:00:00.000001+00', 'it''s')`;
    for (const order of ['asc', 'desc'] as const) {
      for (const keyOf of ['at', 'name'] as const) {
        const ks = keysetFor(keyOf);
        const all = await asOwner(
          db.sql,
          (tx) => tx<{ id: string }[]>`
            select t.id::text as id from keyset_things t order by ${keysetOrder(tx, ks, order)}`,
        );
        expect(all).toHaveLength(6);
        for (const limit of [1, 2, 4])
          expect(await walk(keyOf, order, limit)).toEqual(all.map((r) => r.id));
      }
    }
  });
});
