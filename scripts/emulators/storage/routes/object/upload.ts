import { uploadObject } from '../../object-write.ts';
import type { Route } from '../../router.ts';

/**
 * `POST /object/:bucket/*`: storage-js `upload`. A raw body or a multipart form; with
 * `x-upsert: true` it may overwrite (which RLS must allow as an update).
 */
export const uploadNew: Route = {
  method: 'POST',
  path: '/object/:bucket/*',
  operation: 'storage.object.upload',
  auth: 'jwt',
  async handle(ctx) {
    const result = await uploadObject(ctx, {
      bucket: ctx.params.bucket as string,
      name: ctx.wildcard,
      owner: ctx.caller.owner,
      upsert: ctx.request.headers.get('x-upsert') === 'true',
      writer: 'caller',
    });
    return Response.json(result);
  },
};

/** `PUT /object/:bucket/*`: storage-js `update`; always an upsert, as on Storage. */
export const uploadReplace: Route = {
  method: 'PUT',
  path: '/object/:bucket/*',
  operation: 'storage.object.upload_update',
  auth: 'jwt',
  async handle(ctx) {
    const result = await uploadObject(ctx, {
      bucket: ctx.params.bucket as string,
      name: ctx.wildcard,
      owner: ctx.caller.owner,
      upsert: true,
      writer: 'caller',
    });
    return Response.json(result);
  },
};
