import { randomUUID } from 'node:crypto';
import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { canUpload } from '../../object-write.ts';
import { findObject, lockObject, upsertObject } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName, mustBeValidKey } from '../../rules.ts';
import { objectJson } from '../../serialize.ts';
import { headerMetadata } from '../../upload-body.ts';
import { Fields } from '../../validate.ts';

/**
 * `POST /object/copy`: storage-js `copy`. The caller must read the source and be allowed
 * to create the destination (or overwrite it with `x-upsert: true`), as for an upload.
 */
export const copyObject: Route = {
  method: 'POST',
  path: '/object/copy',
  operation: 'storage.object.copy',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need(
      'sourceKey',
      'bucketId',
      'destinationKey',
    );
    const bucketId = body.string('bucketId') as string;
    const sourceKey = body.string('sourceKey') as string;
    const destinationKey = body.string('destinationKey') as string;
    const destinationBucket = body.string('destinationBucket') || bucketId;
    const fileMetadata = body.object('metadata');
    const copyMetadata = body.boolean('copyMetadata') ?? true;
    mustBeValidBucketName(bucketId);
    mustBeValidKey(destinationKey);
    const upsert = ctx.request.headers.get('x-upsert') === 'true';
    const owner = ctx.caller.owner;

    const source = await ctx.meta.asCaller((tx) => findObject(tx.tx, bucketId, sourceKey));
    if (!source) throw ERRORS.noSuchKey();
    const metadata = { ...(source.metadata ?? {}) };
    if (!copyMetadata) {
      const cacheControl = fileMetadata?.string('cacheControl');
      const mimetype = fileMetadata?.string('mimetype');
      if (cacheControl !== undefined) metadata.cacheControl = cacheControl;
      if (mimetype !== undefined) metadata.mimetype = mimetype;
    }
    const userMetadata = copyMetadata
      ? (source.user_metadata ?? undefined)
      : headerMetadata(ctx.request.headers.get('x-metadata'));
    const dest = { bucket_id: destinationBucket, name: destinationKey, owner };
    await canUpload(
      ctx,
      { ...dest, version: '1', metadata, user_metadata: userMetadata },
      upsert,
      'caller',
    );

    const version = randomUUID();
    await ctx.deps.files.copy(source.version, version);
    let saved: { row: Record<string, unknown>; previous?: string | null };
    try {
      saved = await ctx.meta.asService(async (tx) => {
        await lockObject(tx.tx, destinationBucket, destinationKey);
        const current = await findObject(tx.tx, destinationBucket, destinationKey, {
          forUpdate: true,
        });
        const row = await upsertObject(tx.tx, {
          ...dest,
          version,
          metadata: { ...metadata, lastModified: new Date(ctx.deps.clock.now()).toISOString() },
          user_metadata: userMetadata,
        });
        return { row, previous: current?.version };
      });
    } catch (err) {
      await ctx.deps.files.remove([version]);
      throw err;
    }
    if (saved.previous) await ctx.deps.files.remove([saved.previous]);
    return Response.json({
      Id: saved.row.id,
      Key: `${destinationBucket}/${destinationKey}`,
      ...objectJson(saved.row),
    });
  },
};
