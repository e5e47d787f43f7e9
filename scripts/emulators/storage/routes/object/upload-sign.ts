import { canUpload } from '../../object-write.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { signUrlToken } from '../../signing.ts';
import { headerMetadata } from '../../upload-body.ts';

/**
 * `POST /object/upload/sign/:bucket/*`: storage-js `createSignedUploadUrl`. The caller must
 * be allowed to create the object (or overwrite it, with `x-upsert`); whoever holds the
 * token may then upload it once, as the caller, for the configured time (two hours).
 */
export const signUpload: Route = {
  method: 'POST',
  path: '/object/upload/sign/:bucket/*',
  operation: 'storage.object.sign_upload_url',
  auth: 'jwt',
  async handle(ctx) {
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const headers = ctx.request.headers;
    const upsert = headers.get('x-upsert') === 'true';
    const length = Number(headers.get('content-length') ?? Number.NaN);
    const owner = ctx.caller.owner;
    await canUpload(
      ctx,
      {
        bucket_id: bucket,
        name: ctx.wildcard,
        version: '1',
        owner,
        metadata: {
          mimetype: headers.get('content-type') ?? undefined,
          contentLength: Number.isFinite(length) ? length : undefined,
        },
        user_metadata: headerMetadata(headers.get('x-metadata')),
      },
      upsert,
      'caller',
    );
    const url = `${bucket}/${ctx.wildcard}`;
    const token = await signUrlToken(
      { owner, url, upsert, scope: 'upload' },
      {
        secret: ctx.deps.secret,
        expiresIn: ctx.deps.settings.signedUploadExpiresIn,
        clock: ctx.deps.clock,
      },
    );
    return Response.json({ url: `/object/upload/sign/${url}?token=${token}`, token });
  },
};
