import { ERRORS } from '../../errors.ts';
import { findObject } from '../../queries/objects.ts';
import { renderAsset } from '../../render.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { verifyUrlToken } from '../../signing.ts';
import { Fields } from '../../validate.ts';

/**
 * `GET /object/sign/:bucket/*?token=…`: a signed link. No caller: the token alone opens the
 * one object it names, until it expires (by the emulator's clock).
 */
export const signedDownload: Route = {
  method: 'GET',
  path: '/object/sign/:bucket/*',
  operation: 'storage.object.get_signed',
  auth: 'none',
  async handle(ctx) {
    const token = Fields.query(ctx.url).need('token').string('token') as string;
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const claims = await verifyUrlToken(
      token,
      { url: `${bucket}/${ctx.wildcard}`, scope: 'download' },
      { secret: ctx.deps.secret, clock: ctx.deps.clock },
    );
    const [bucketId = '', ...parts] = claims.url.split('/');
    const obj = await ctx.meta.asService((tx) => findObject(tx.tx, bucketId, parts.join('/')));
    if (!obj) throw ERRORS.noSuchKey();
    return renderAsset(ctx, obj, { expires: new Date((claims.exp ?? 0) * 1000) });
  },
};
