import { ERRORS } from '../../errors.ts';
import { bucketHasObjects, deleteBucket, findBucket } from '../../queries/buckets.ts';
import type { Route } from '../../router.ts';

/**
 * `DELETE /bucket/:id`: an empty bucket only. Existence and emptiness are Storage's own
 * checks; the delete itself runs as the caller, so RLS decides.
 */
export const removeBucket: Route = {
  method: 'DELETE',
  path: '/bucket/:id',
  operation: 'storage.bucket.delete',
  auth: 'jwt',
  async handle(ctx) {
    const id = ctx.params.id as string;
    await ctx.meta.asService(async (tx) => {
      if (!(await findBucket(tx.tx, id, { forUpdate: true }))) throw ERRORS.noSuchBucket();
      if (await bucketHasObjects(tx.tx, id)) throw ERRORS.bucketNotEmpty();
      await tx.as('caller');
      if ((await deleteBucket(tx.tx, id)) === 0) throw ERRORS.noSuchBucket();
    });
    return Response.json({ message: 'Successfully deleted' });
  },
};
