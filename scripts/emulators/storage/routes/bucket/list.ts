import { listBuckets } from '../../queries/buckets.ts';
import type { Route } from '../../router.ts';
import { bucketJson } from '../../serialize.ts';
import { Fields } from '../../validate.ts';

/** `GET /bucket`: the buckets the caller's RLS lets it see, with paging and search. */
export const listAllBuckets: Route = {
  method: 'GET',
  path: '/bucket',
  operation: 'storage.bucket.list',
  auth: 'jwt',
  async handle(ctx) {
    const q = Fields.query(ctx.url);
    const options = {
      limit: q.integer('limit', { min: 1 }),
      offset: q.integer('offset', { min: 0 }),
      sortColumn: q.oneOf('sortColumn', ['id', 'name', 'created_at', 'updated_at'] as const),
      sortOrder: q.oneOf('sortOrder', ['asc', 'desc'] as const),
      search: q.string('search'),
    };
    const rows = await ctx.meta.asCaller((tx) => listBuckets(tx.tx, options));
    return Response.json(rows.map(bucketJson));
  },
};
