import type { Hono } from 'hono';
import { GraphErrorCode } from '../../../shared/whatsapp/graph-types.ts';
import { type GraphEnv, type GraphState, SERVICE_WINDOW_MS, windowKey } from './context.ts';
import { graphError, webhookError } from './errors.ts';
import { newWamid, statusDelivery, waIdOf } from './payloads.ts';
import { describeIssue, mediaIdOf, type SendRequest, sendRequestSchema } from './send-schema.ts';

const invalid = (details: string) => graphError({ code: GraphErrorCode.InvalidParameter, details });

/**
 * `POST /{version}/{phone_number_id}/messages`: validates like Meta, answers the wamid at
 * once, and posts the message's statuses to the webhook later. A free-form message outside
 * the 24-hour window is accepted too, as Meta accepts it, and then fails asynchronously with
 * a `failed` status carrying error 131047; templates are always allowed.
 */
export function registerMessages(app: Hono<GraphEnv>, state: GraphState) {
  app.post('/:version/:phoneNumberId{[0-9]+}/messages', async (c) => {
    const phoneNumberId = c.req.param('phoneNumberId');
    const json = await c.req.json().catch(() => undefined);
    if (!json || typeof json !== 'object') return invalid('The request body must be JSON');
    if ((json as { status?: unknown }).status === 'read') return markRead(json);

    const parsed = sendRequestSchema.safeParse(json);
    if (!parsed.success) return invalid(describeIssue(parsed.error));
    const body = parsed.data;
    const mediaId = mediaIdOf(body);
    if (mediaId && !state.media.get(mediaId)) {
      return invalid(`Param ${body.type}['id']: no media with id ${mediaId}`);
    }

    const waId = waIdOf(body.to);
    const id = newWamid(waId);
    const now = state.clock.now();
    const template = body.type === 'template';
    const last = state.lastInbound.get(windowKey(phoneNumberId, waId));
    const outsideWindow = !template && (last === undefined || now - last > SERVICE_WINDOW_MS);
    state.sent.push({
      id,
      phoneNumberId,
      to: waId,
      type: body.type,
      body: json as Record<string, unknown>,
      at: now,
      outsideWindow,
    });
    scheduleStatuses(state, { id, phoneNumberId, waId, template, outsideWindow, body });

    return Response.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: waId }],
      messages: [{ id, ...(template ? { message_status: 'accepted' } : {}) }],
    });
  });
}

function markRead(json: object) {
  const messageId = (json as { message_id?: unknown }).message_id;
  if ((json as { messaging_product?: unknown }).messaging_product !== 'whatsapp') {
    return invalid('Param messaging_product: must be whatsapp');
  }
  if (typeof messageId !== 'string' || !messageId) return invalid('Param message_id: is required');
  return Response.json({ success: true });
}

function scheduleStatuses(
  state: GraphState,
  m: {
    id: string;
    phoneNumberId: string;
    waId: string;
    template: boolean;
    outsideWindow: boolean;
    body: SendRequest;
  },
) {
  const number = state.number(m.phoneNumberId);
  const at = (delay: number) => state.clock.now() + delay;
  const post = (status: 'sent' | 'delivered' | 'read' | 'failed', delay: number) =>
    state.outbox.schedule(
      statusDelivery(number, {
        id: m.id,
        status,
        at: at(delay),
        recipientId: m.waId,
        template: m.template,
        bizOpaqueCallbackData: m.body.biz_opaque_callback_data,
        ...(status === 'failed' ? { errors: [webhookError(GraphErrorCode.ReEngagement)] } : {}),
      }),
      `status:${m.id}:${status}`,
      delay,
    );
  if (m.outsideWindow) return post('failed', state.delays.sent);
  post('sent', state.delays.sent);
  post('delivered', state.delays.delivered);
  if (state.readReceipts) post('read', state.delays.read);
}
