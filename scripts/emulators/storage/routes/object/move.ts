import { randomUUID } from 'node:crypto';
import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { findObject, lockObject, type ObjectRow, updateObject } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName, mustBeValidKey } from '../../rules.ts';
import { Fields } from '../../validate.ts';

/**
 * `POST /object/move`: storage-js `move`. The caller must see the source and be allowed
 * the rename as an UPDATE (RLS USING on the old row, WITH CHECK on the new one); an
 * existing destination is a Duplicate. The object keeps its id and gets a new version.
 */
export const moveObject: Route = {
  method: 'POST',
  path: '/object/move',
  operation: 'storage.object.move',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need(
      'bucketId',
      'sourceKey',
      'destinationKey',
    );
    const bucketId = body.string('bucketId') as string;
    const sourceKey = body.string('sourceKey') as string;
    const destinationKey = body.string('destinationKey') as string;
    const destinationBucket = body.string('destinationBucket') || bucketId;
    mustBeValidBucketName(bucketId);
    mustBeValidKey(destinationKey);
    const version = randomUUID();
    const owner = ctx.caller.owner;
    const dest = { bucket_id: destinationBucket, name: destinationKey, version, owner };

    await ctx.meta.testPermission(async (tx) => {
      if (!(await findObject(tx.tx, bucketId, sourceKey))) throw ERRORS.noSuchKey();
      if (!(await updateObject(tx.tx, bucketId, sourceKey, dest))) throw ERRORS.noSuchKey();
    });
    const source = await ctx.meta.asService((tx) => findObject(tx.tx, bucketId, sourceKey));
    if (!source) throw ERRORS.noSuchKey();
    if (bucketId === destinationBucket && sourceKey === destinationKey) {
      return Response.json({ message: 'Successfully moved', Id: source.id, Key: sourceKey });
    }

    await ctx.deps.files.copy(source.version, version);
    let moved: ObjectRow;
    try {
      moved = await ctx.meta.asService(async (tx) => {
        await lockObject(tx.tx, bucketId, sourceKey);
        const current = await findObject(tx.tx, bucketId, sourceKey, { forUpdate: true });
        // Replaced meanwhile: the bytes just linked are not this object's any more.
        if (current?.version !== source.version) throw ERRORS.noSuchKey();
        return (await updateObject(tx.tx, bucketId, sourceKey, dest)) ?? current;
      });
    } catch (err) {
      await ctx.deps.files.remove([version]);
      throw err;
    }
    await ctx.deps.files.remove([source.version]);
    return Response.json({ message: 'Successfully moved', Id: moved.id, Key: destinationKey });
  },
};
