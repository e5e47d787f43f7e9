import { ERRORS } from '../../errors.ts';
import { findBucket } from '../../queries/buckets.ts';
import type { Route } from '../../router.ts';
import { bucketJson } from '../../serialize.ts';

/** `GET /bucket/:id`: one bucket, if the caller's RLS lets it see it. */
export const getBucket: Route = {
  method: 'GET',
  path: '/bucket/:id',
  operation: 'storage.bucket.get',
  auth: 'jwt',
  async handle(ctx) {
    const row = await ctx.meta.asCaller((tx) => findBucket(tx.tx, ctx.params.id as string));
    if (!row) throw ERRORS.noSuchBucket();
    const { type: _type, avif_autodetection: _avif, owner_id: _ownerId, ...shown } = row;
    return Response.json(bucketJson(shown));
  },
};
