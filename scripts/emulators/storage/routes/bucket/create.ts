import { readJson } from '../../context.ts';
import { ERRORS, StorageError } from '../../errors.ts';
import { insertBucket } from '../../queries/buckets.ts';
import type { Route } from '../../router.ts';
import { isUuid, mustBeUsableBucketName, mustBeValidMimePatterns } from '../../rules.ts';
import { Fields } from '../../validate.ts';
import { bucketLimits } from './limits.ts';

/** `POST /bucket`: creates a bucket as the caller (RLS on storage.buckets decides). */
export const createBucket: Route = {
  method: 'POST',
  path: '/bucket',
  operation: 'storage.bucket.create',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need('name');
    const name = body.string('name') as string;
    const id = body.string('id');
    const isPublic = body.boolean('public');
    const type = body.oneOf('type', ['STANDARD', 'ANALYTICS'] as const);
    const limits = bucketLimits(ctx, body);
    if (type === 'ANALYTICS') {
      throw ERRORS.featureNotEnabled('Iceberg buckets are not enabled for this tenant');
    }
    mustBeUsableBucketName(name);
    if (limits.allowed_mime_types) mustBeValidMimePatterns(limits.allowed_mime_types);
    const owner = ctx.caller.owner;
    try {
      await ctx.meta.asCaller((tx) =>
        insertBucket(tx.tx, {
          id: id || name,
          name,
          owner: isUuid(owner) ? owner : undefined,
          owner_id: owner,
          public: isPublic ?? false,
          type: 'STANDARD',
          ...limits,
        }),
      );
    } catch (err) {
      if (err instanceof StorageError && err.code === 'ResourceAlreadyExists') {
        throw ERRORS.bucketAlreadyExists();
      }
      throw err;
    }
    return Response.json({ name });
  },
};
