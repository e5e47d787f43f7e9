import { ERRORS } from '../../errors.ts';
import { findBucket } from '../../queries/buckets.ts';
import { deleteAllObjects } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';

/**
 * `POST /bucket/:id/empty` (service role only). Storage queues the deletion; here it is
 * done at once, so the bucket is empty when the answer arrives.
 */
export const emptyBucket: Route = {
  method: 'POST',
  path: '/bucket/:id/empty',
  operation: 'storage.bucket.empty',
  auth: 'service',
  async handle(ctx) {
    const id = ctx.params.id as string;
    const versions = await ctx.meta.asCaller(async (tx) => {
      if (!(await findBucket(tx.tx, id))) throw ERRORS.noSuchBucket();
      return deleteAllObjects(tx.tx, id);
    });
    await ctx.deps.files.remove(versions);
    return Response.json({
      message: 'Empty bucket has been queued. Completion may take up to an hour.',
    });
  },
};
