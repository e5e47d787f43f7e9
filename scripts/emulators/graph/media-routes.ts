import type { Hono } from 'hono';
import { GraphErrorCode } from '../../../shared/whatsapp/graph-types.ts';
import type { GraphEnv, GraphState } from './context.ts';
import { graphError } from './errors.ts';
import { mediaErrors, uploadRefusal } from './media.ts';

/**
 * The Cloud API's media endpoints: multipart upload to `/{phone_number_id}/media`, metadata
 * and a short-lived URL at `/{media_id}`, deletion, and the download behind that URL, which
 * needs the same bearer token as every other call.
 */
export function registerMedia(app: Hono<GraphEnv>, state: GraphState) {
  app.post('/:version/:phoneNumberId{[0-9]+}/media', async (c) => {
    const form = await c.req.formData().catch(() => undefined);
    if (!form) {
      return graphError({
        code: GraphErrorCode.InvalidParameter,
        details: 'The request body must be multipart/form-data',
      });
    }
    if (form.get('messaging_product') !== 'whatsapp') {
      return graphError({
        code: GraphErrorCode.InvalidParameter,
        details: 'Param messaging_product: must be whatsapp',
      });
    }
    const file = form.get('file');
    if (!(file instanceof Blob)) {
      return graphError({
        code: GraphErrorCode.InvalidParameter,
        details: 'Param file: is required',
      });
    }
    const declared = form.get('type');
    const mimeType = (typeof declared === 'string' && declared) || file.type;
    const refusal = uploadRefusal(mimeType, file.size);
    if (refusal) return graphError(mediaErrors.upload(refusal));
    const bytes = new Uint8Array(await file.arrayBuffer());
    const item = state.media.add(c.req.param('phoneNumberId'), mimeType, bytes);
    return Response.json({ id: item.id });
  });

  app.get('/:version/:mediaId{[0-9]+}', (c) => {
    const id = c.req.param('mediaId');
    const item = state.media.get(id);
    const scope = c.req.query('phone_number_id');
    if (!item || (scope && scope !== item.phoneNumberId)) {
      return graphError(mediaErrors.unknown(id));
    }
    return Response.json(state.media.info(item, c.env.base));
  });

  app.delete('/:version/:mediaId{[0-9]+}', (c) => {
    const id = c.req.param('mediaId');
    if (!state.media.delete(id)) return graphError(mediaErrors.unknown(id));
    return Response.json({ success: true });
  });

  app.get('/whatsapp_business/attachments/', (c) => {
    const item = state.media.resolve(new URL(c.req.url));
    // Meta answers an unknown or expired media URL with a bare 404.
    if (!item) return new Response('Not Found', { status: 404 });
    return new Response(item.bytes.slice(), {
      headers: {
        'content-type': item.mimeType,
        'content-length': String(item.bytes.byteLength),
      },
    });
  });
}
