import { readJson } from '../../context.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { objectJson } from '../../serialize.ts';
import { Fields } from '../../validate.ts';

const COLUMNS = ['name', 'updated_at', 'created_at', 'last_accessed_at'] as const;

/**
 * `POST /object/list/:bucket`: storage-js `list`. One folder level under `prefix`, through
 * storage.search as the caller, so RLS decides what is listed.
 */
export const listObjects: Route = {
  method: 'POST',
  path: '/object/list/:bucket',
  operation: 'storage.object.list',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need('prefix');
    let prefix = body.string('prefix') as string;
    const limit = body.integer('limit', { min: 1 }) ?? 100;
    const offset = body.integer('offset', { min: 0 }) ?? 0;
    const sortBy = body.object('sortBy')?.need('column');
    const column = sortBy?.oneOf('column', COLUMNS) ?? 'name';
    const order = sortBy?.oneOf('order', ['asc', 'desc'] as const) ?? 'asc';
    const search = body.string('search') ?? '';
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    // A prefix is always a folder.
    if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
    const levels = (prefix + search).split('/').length;
    const rows = await ctx.meta.asCaller(
      (tx) => tx.tx`select * from storage.search(${prefix}, ${bucket}, ${limit}, ${levels},
                      ${offset}, ${search}, ${column}, ${order})`,
    );
    return Response.json(rows.map(objectJson));
  },
};
