import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db.ts';

// The storage schema the bootstrap gives a vanilla PostgreSQL, checked as SQL.
const db = useTestDatabase();

beforeAll(async () => {
  await db.sql`insert into storage.buckets (id, name) values ('s', 's')`;
  await db.sql`
    insert into storage.objects (bucket_id, name) values
      ('s', 'top.txt'), ('s', 'Docs/a.pdf'), ('s', 'docs2/b/c.txt'), ('s', 'docs2/d.txt')`;
});

describe('storage schema', () => {
  it('has the path helpers policies use', async () => {
    const [row] = await db.sql`
      select storage.foldername('p1/sub/file.tar.gz') as folders,
             storage.filename('p1/sub/file.tar.gz') as file,
             storage.extension('p1/sub/file.tar.gz') as ext`;
    expect(row).toEqual({ folders: ['p1', 'sub'], file: 'file.tar.gz', ext: 'gz' });
  });

  it('lists one level with storage.search, names relative to the prefix', async () => {
    const top = await db.sql`select name, id is null as folder from storage.search('', 's')`;
    expect(top).toEqual([
      { name: 'Docs', folder: true },
      { name: 'docs2', folder: true },
      { name: 'top.txt', folder: false },
    ]);
    const inner = await db.sql`select name from storage.search('docs2/', 's')`;
    expect(inner.map((r) => r.name)).toEqual(['b', 'd.txt']);
    const searched = await db.sql`
      select name from storage.search('', 's', 100, 1, 0, 'DOC')`;
    expect(searched.map((r) => r.name)).toEqual(['Docs', 'docs2']);
  });

  it('refuses direct deletes, as Supabase does, unless the Storage API asks', async () => {
    await expect(db.sql`delete from storage.objects where name = 'top.txt'`).rejects.toMatchObject({
      code: '42501',
      message: 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
    });
    const deleted = await db.sql.begin(async (tx) => {
      await tx`select set_config('storage.allow_delete_query', 'true', true)`;
      return tx`delete from storage.objects where name = 'top.txt' returning name`;
    });
    expect(deleted).toHaveLength(1);
  });

  it('keeps updated_at current and bucket names short', async () => {
    const [before] = await db.sql`
      select updated_at from storage.objects where name = 'docs2/d.txt'`;
    const [after] = await db.sql`
      update storage.objects set metadata = '{}' where name = 'docs2/d.txt' returning updated_at`;
    expect(after?.updated_at.getTime()).toBeGreaterThanOrEqual(before?.updated_at.getTime());
    await expect(
      db.sql`insert into storage.buckets (id, name) values ('long', ${'x'.repeat(101)})`,
    ).rejects.toMatchObject({ code: 'P0001' });
  });

  it('grants the API roles what Supabase grants, with RLS on', async () => {
    const rows = await db.sql`
      select c.relname, c.relrowsecurity as rls,
             has_table_privilege('anon', c.oid, 'select, insert, update, delete') as anon,
             has_table_privilege('authenticated', c.oid, 'select, insert, update, delete') as authn
        from pg_class c where c.relnamespace = 'storage'::regnamespace
         and c.relname in ('buckets', 'objects') order by 1`;
    expect(rows).toEqual([
      { relname: 'buckets', rls: true, anon: true, authn: true },
      { relname: 'objects', rls: true, anon: true, authn: true },
    ]);
    const [fn] = await db.sql`
      select has_function_privilege('anon', 'storage.search(text,text,int,int,int,text,text,text)',
                                    'execute') as ok`;
    expect(fn?.ok).toBe(true);
  });
});
