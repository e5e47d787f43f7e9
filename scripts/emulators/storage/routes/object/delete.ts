import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { deleteObjects, findObject } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { objectJson } from '../../serialize.ts';
import { Fields } from '../../validate.ts';

/**
 * `DELETE /object/:bucket` with `{prefixes}`: storage-js `remove`. Deletes, as the caller,
 * the named objects RLS lets it delete, and their bytes; returns what was deleted.
 */
export const removeObjects: Route = {
  method: 'DELETE',
  path: '/object/:bucket',
  operation: 'storage.object.delete_many',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need('prefixes');
    const names = body.strings('prefixes', { min: 1 }) as string[];
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const deleted = await ctx.meta.asCaller((tx) => deleteObjects(tx.tx, bucket, names));
    await ctx.deps.files.remove(deleted.map((row) => row.version));
    return Response.json(deleted.map(objectJson));
  },
};

/** `DELETE /object/:bucket/*`: one object; Storage finds it itself, RLS decides the delete. */
export const removeObject: Route = {
  method: 'DELETE',
  path: '/object/:bucket/*',
  operation: 'storage.object.delete',
  auth: 'jwt',
  async handle(ctx) {
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const version = await ctx.meta.asService(async (tx) => {
      const obj = await findObject(tx.tx, bucket, ctx.wildcard, { forUpdate: true });
      if (!obj) throw ERRORS.noSuchKey();
      await tx.as('caller');
      const [deleted] = await deleteObjects(tx.tx, bucket, [ctx.wildcard]);
      if (!deleted) throw ERRORS.accessDenied();
      return deleted.version;
    });
    await ctx.deps.files.remove([version]);
    return Response.json({ message: 'Successfully deleted' });
  },
};
