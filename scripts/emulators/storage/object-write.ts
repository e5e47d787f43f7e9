import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.ts';
import { ERRORS, StorageError } from './errors.ts';
import { findBucket } from './queries/buckets.ts';
import {
  findObject,
  insertObject,
  lockObject,
  type ObjectRow,
  type ObjectWrite,
  upsertObject,
} from './queries/objects.ts';
import { mustBeValidBucketName, mustBeValidKey } from './rules.ts';
import { readUploadBody } from './upload-body.ts';

/** Whose rights an upload is checked against: the caller's, or Storage's (signed URLs). */
export type Writer = 'caller' | 'service';

/**
 * Asks RLS whether `writer` may create (or, with upsert, overwrite) this object, by making
 * the write in a transaction that is rolled back. Duplicates and refusals surface as
 * Storage's errors.
 */
export async function canUpload(ctx: Ctx, probe: ObjectWrite, upsert: boolean, writer: Writer) {
  try {
    await ctx.meta.testPermission(async (tx) => {
      if (upsert) await upsertObject(tx.tx, probe);
      else await insertObject(tx.tx, probe);
    }, writer);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'ResourceAlreadyExists') {
      throw ERRORS.keyAlreadyExists();
    }
    throw err;
  }
}

/**
 * An upload, in Storage's order: the bucket (NoSuchBucket), the body against the bucket's
 * type and size limits, the key, RLS, then the bytes, then the row, written by Storage
 * itself under a lock, replacing any previous version's bytes.
 */
export async function uploadObject(
  ctx: Ctx,
  target: { bucket: string; name: string; owner?: string; upsert: boolean; writer: Writer },
): Promise<{ Id: string; Key: string }> {
  const { deps } = ctx;
  mustBeValidBucketName(target.bucket);
  const bucket = await ctx.meta.asService((tx) => findBucket(tx.tx, target.bucket));
  if (!bucket) throw ERRORS.noSuchBucket();
  const bucketLimit = bucket.file_size_limit === null ? Infinity : Number(bucket.file_size_limit);
  const body = await readUploadBody(ctx.request, {
    objectName: target.name,
    maxFileSize: Math.min(bucketLimit, deps.settings.fileSizeLimit),
    allowedMimeTypes: bucket.allowed_mime_types ?? [],
  });
  mustBeValidKey(target.name);
  const base = { bucket_id: target.bucket, name: target.name, owner: target.owner };
  await canUpload(
    ctx,
    {
      ...base,
      version: '1',
      metadata: { mimetype: body.mimeType, contentLength: body.declaredLength },
      user_metadata: body.userMetadata,
    },
    target.upsert,
    target.writer,
  );

  const version = randomUUID();
  const stored = await deps.files.write(version, body.bytes, body.limit);
  let saved: { row: ObjectRow; previous: string | null | undefined };
  try {
    saved = await ctx.meta.asService(async (tx) => {
      await lockObject(tx.tx, target.bucket, target.name);
      const current = await findObject(tx.tx, target.bucket, target.name, { forUpdate: true });
      const row = await upsertObject(tx.tx, {
        ...base,
        version,
        metadata: {
          eTag: stored.eTag,
          size: stored.size,
          mimetype: body.mimeType,
          cacheControl: body.cacheControl,
          lastModified: new Date(deps.clock.now()).toISOString(),
          contentLength: stored.size,
          httpStatusCode: 200,
        },
        user_metadata: { ...body.userMetadata },
      });
      return { row, previous: current?.version };
    });
  } catch (err) {
    await deps.files.remove([version]);
    throw err;
  }
  if (saved.previous && saved.previous !== version) await deps.files.remove([saved.previous]);
  return { Id: saved.row.id, Key: `${target.bucket}/${target.name}` };
}
