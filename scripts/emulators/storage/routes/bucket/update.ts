import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { updateBucket } from '../../queries/buckets.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName, mustBeValidMimePatterns } from '../../rules.ts';
import { Fields } from '../../validate.ts';
import { bucketLimits } from './limits.ts';

/** `PUT /bucket/:id`: changes `public`, `file_size_limit`, `allowed_mime_types` (RLS decides). */
export const putBucket: Route = {
  method: 'PUT',
  path: '/bucket/:id',
  operation: 'storage.bucket.update',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request));
    if (body.size() < 1) throw ERRORS.validation('body must NOT have fewer than 1 properties');
    if (!['public', 'file_size_limit', 'allowed_mime_types'].some((k) => body.has(k))) {
      throw ERRORS.validation('body must match a schema in anyOf');
    }
    const isPublic = body.boolean('public');
    const limits = bucketLimits(ctx, body);
    const id = ctx.params.id;
    mustBeValidBucketName(id);
    if (limits.allowed_mime_types) mustBeValidMimePatterns(limits.allowed_mime_types);
    const changed = await ctx.meta.asCaller((tx) =>
      updateBucket(tx.tx, id, { public: isPublic, ...limits }),
    );
    if (changed === 0) throw ERRORS.noSuchBucket();
    return Response.json({ message: 'Successfully updated' });
  },
};
