import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { findObject } from '../../queries/objects.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName, mustBeValidKey } from '../../rules.ts';
import { signUrlToken } from '../../signing.ts';
import { Fields } from '../../validate.ts';
import { mustBeValidExpiry } from './access.ts';

/**
 * `POST /object/sign/:bucket/*` with `{expiresIn}`: storage-js `createSignedUrl`. The caller
 * must be able to read the object (RLS); the link then opens it for anyone until expiry.
 * Image transformation is off, so a `transform` option is ignored, as Storage ignores it.
 */
export const signObject: Route = {
  method: 'POST',
  path: '/object/sign/:bucket/*',
  operation: 'storage.object.sign',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of(await readJson(ctx.request)).need('expiresIn');
    const expiresIn = body.integer('expiresIn', { min: 1 }) as number;
    body.object('transform');
    mustBeValidExpiry(ctx, expiresIn);
    const bucket = ctx.params.bucket as string;
    const name = ctx.wildcard;
    mustBeValidBucketName(bucket);
    mustBeValidKey(name);
    const obj = await ctx.meta.asCaller((tx) => findObject(tx.tx, bucket, name));
    if (!obj) throw ERRORS.noSuchKey();
    const url = `${bucket}/${name}`;
    const token = await signUrlToken(
      { url, scope: 'download' },
      { secret: ctx.deps.secret, expiresIn, clock: ctx.deps.clock },
    );
    return Response.json({ signedURL: `/object/sign/${url}?token=${token}` });
  },
};
