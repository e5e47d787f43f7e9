import { readJson } from '../../context.ts';
import { findObjectNames } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { signUrlToken } from '../../signing.ts';
import { Fields } from '../../validate.ts';
import { mustBeValidExpiry } from './access.ts';

/**
 * `POST /object/sign/:bucket` with `{expiresIn, paths}`: storage-js `createSignedUrls`. Each
 * path the caller can read gets a link; the others an error, in the request's order.
 */
export const signObjects: Route = {
  method: 'POST',
  path: '/object/sign/:bucket',
  operation: 'storage.object.sign_many',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need('expiresIn', 'paths');
    const expiresIn = body.integer('expiresIn', { min: 1 }) as number;
    const paths = body.strings('paths', { min: 1, max: 1000 }) as string[];
    mustBeValidExpiry(ctx, expiresIn);
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const readable = await ctx.meta.asCaller((tx) => findObjectNames(tx.tx, bucket, paths));
    const signed = await Promise.all(
      paths.map(async (path) => {
        if (!readable.has(path)) {
          return {
            error: 'Either the object does not exist or you do not have access to it',
            path,
            signedURL: null,
          };
        }
        const url = `${bucket}/${path}`;
        const token = await signUrlToken(
          { url, scope: 'download' },
          { secret: ctx.deps.secret, expiresIn, clock: ctx.deps.clock },
        );
        return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
      }),
    );
    return Response.json(signed);
  },
};
