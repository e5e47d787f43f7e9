import type { Ctx } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { findBucket } from '../../queries/buckets.ts';
import { findObject, type ObjectRow } from '../../queries/objects.ts';
import { mustBeValidBucketName, mustBeValidKey } from '../../rules.ts';

/**
 * The object a read names (`:bucket/*`), decided as Storage decides it: anyone may read a
 * public bucket; a visitor without a valid JWT sees private buckets as missing; everyone
 * else reads a private bucket through RLS, so a hidden object is "Object not found".
 */
export async function readableObject(ctx: Ctx): Promise<ObjectRow> {
  const bucketId = ctx.params.bucket as string;
  const name = ctx.wildcard;
  const bucket = await ctx.meta.asService((tx) => findBucket(tx.tx, bucketId));
  if (!bucket || (!ctx.caller.authenticated && !bucket.public)) throw ERRORS.noSuchBucket();
  mustBeValidBucketName(bucketId);
  mustBeValidKey(name);
  const obj = bucket.public
    ? await ctx.meta.asService((tx) => findObject(tx.tx, bucketId, name))
    : await ctx.meta.asCaller((tx) => findObject(tx.tx, bucketId, name));
  if (!obj) throw ERRORS.noSuchKey();
  return obj;
}

/** The largest `expiresIn` a JWT can carry from now, as Storage bounds it. */
export function mustBeValidExpiry(ctx: Ctx, expiresIn: number): void {
  const max = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - Math.floor(ctx.deps.clock.now() / 1000);
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > max) {
    throw ERRORS.invalidParameter('expiresIn');
  }
}
