import { uploadObject } from '../../object-write.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { verifyUrlToken } from '../../signing.ts';
import { Fields } from '../../validate.ts';

/**
 * `PUT /object/upload/sign/:bucket/*?token=…`: storage-js `uploadToSignedUrl`. The token
 * stands for the caller who signed it (its owner and upsert right); the bucket's type and
 * size limits still apply.
 */
export const uploadSigned: Route = {
  method: 'PUT',
  path: '/object/upload/sign/:bucket/*',
  operation: 'storage.object.upload_signed',
  auth: 'none',
  async handle(ctx) {
    const token = Fields.query(ctx.url).need('token').string('token') as string;
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const claims = await verifyUrlToken(
      token,
      { url: `${bucket}/${ctx.wildcard}`, scope: 'upload' },
      { secret: ctx.deps.secret, clock: ctx.deps.clock },
    );
    const { Key } = await uploadObject(ctx, {
      bucket,
      name: ctx.wildcard,
      owner: claims.owner,
      upsert: claims.upsert === true,
      writer: 'service',
    });
    return Response.json({ Key });
  },
};
