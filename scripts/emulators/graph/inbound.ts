import type { Hono } from 'hono';
import { z } from 'zod';
import { GraphErrorCode } from '../../../shared/whatsapp/graph-types.ts';
import { type InboundMessage, inboundMessageSchema } from '../../../shared/whatsapp/webhook.ts';
import { type GraphEnv, type GraphState, windowKey } from './context.ts';
import { graphError } from './errors.ts';
import { uploadRefusal } from './media.ts';
import { messageDelivery, newWamid, seconds, waIdOf } from './payloads.ts';

/**
 * A message "from a WhatsApp user": `{ phone_number_id, from, type, <type>: … }`, posted to
 * the webhook as Meta would deliver it. `text` may be a plain string. Media types take
 * `{ data (base64)?, mime_type?, caption?, filename? }` or the `id` of uploaded media; with
 * neither, a small placeholder file is stored. Any other type is passed through as given.
 */
export const inboundInputSchema = z.looseObject({
  phone_number_id: z.string().regex(/^\d+$/, { message: 'must be digits' }),
  from: z.string().regex(/^\+?[\d\s().-]{5,24}$/, { message: 'must be a phone number' }),
  /** The sender's WhatsApp profile name. */
  name: z.string().max(100).optional(),
  type: z.string().min(1).default('text'),
  /** Reuse a wamid, to replay a message as Meta's retries do. */
  id: z.string().min(1).optional(),
  text: z.union([z.string(), z.looseObject({ body: z.string() })]).optional(),
  /** Reply to an earlier message (its wamid). */
  context: z.object({ id: z.string().min(1) }).optional(),
});
export type InboundInput = z.input<typeof inboundInputSchema>;

export interface InboundResult {
  id: string;
  message: InboundMessage;
  /** The webhook's HTTP status, or null when it could not be reached. */
  webhookStatus: number | null;
}

/** Thrown for input that would not make a message Meta could send. */
export class InboundInputError extends Error {
  override name = 'InboundInputError';
}

const MEDIA = new Set(['image', 'audio', 'video', 'document', 'sticker']);
const PLACEHOLDER: Record<string, [string, string]> = {
  // A 1×1 transparent PNG, so an image can be shown.
  image: [
    'image/png',
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  ],
  audio: ['audio/ogg', Buffer.from('OggS placeholder voice note').toString('base64')],
  video: ['video/mp4', Buffer.from('placeholder video').toString('base64')],
  document: [
    'text/plain',
    Buffer.from('A document from the Graph API emulator.\n').toString('base64'),
  ],
  sticker: ['image/webp', Buffer.from('RIFF placeholder sticker').toString('base64')],
};

/** Builds the message, records the open window, and posts the delivery now. */
export async function deliverInbound(state: GraphState, raw: unknown): Promise<InboundResult> {
  const parsed = inboundInputSchema.safeParse(raw);
  if (!parsed.success) throw new InboundInputError(z.prettifyError(parsed.error));
  const input = parsed.data;
  const waId = waIdOf(input.from);
  const number = state.number(input.phone_number_id);
  const given = (input as Record<string, unknown>)[input.type];
  const payload = MEDIA.has(input.type)
    ? storeMedia(state, input.phone_number_id, input.type, given)
    : input.type === 'text' && typeof given === 'string'
      ? { body: given }
      : given;
  const now = state.clock.now();
  const candidate = {
    from: waId,
    id: input.id ?? newWamid(waId),
    timestamp: seconds(now),
    type: input.type,
    ...(input.context
      ? { context: { from: number.displayPhoneNumber, id: input.context.id } }
      : {}),
    ...(payload === undefined ? {} : { [input.type]: payload }),
  };
  const message = inboundMessageSchema.safeParse(candidate);
  if (!message.success) throw new InboundInputError(z.prettifyError(message.error));
  // Any message from the user (not Meta's own system notices) opens the service window.
  if (input.type !== 'system') state.lastInbound.set(windowKey(input.phone_number_id, waId), now);
  const delivery = messageDelivery(number, message.data, input.name ?? `+${waId}`);
  const webhookStatus = await state.outbox.postNow(delivery, `message:${candidate.id}`);
  return { id: candidate.id, message: message.data, webhookStatus };
}

function storeMedia(state: GraphState, phoneNumberId: string, type: string, given: unknown) {
  const spec = (given ?? {}) as Record<string, unknown>;
  const { data, mime_type, id, ...rest } = spec;
  if (typeof id === 'string') {
    const item = state.media.get(id);
    if (!item) throw new InboundInputError(`${type}.id: no media with id ${id}`);
    return { ...rest, id, mime_type: item.mimeType, sha256: item.sha256 };
  }
  const [fallbackType, fallbackData] = PLACEHOLDER[type] ?? ['text/plain', ''];
  const mimeType = typeof mime_type === 'string' ? mime_type : fallbackType;
  const bytes = Buffer.from(typeof data === 'string' ? data : fallbackData, 'base64');
  const refusal = uploadRefusal(mimeType, bytes.byteLength);
  if (refusal) throw new InboundInputError(`${type}: ${refusal}`);
  const item = state.media.add(phoneNumberId, mimeType, new Uint8Array(bytes));
  return { ...rest, id: item.id, mime_type: item.mimeType, sha256: item.sha256 };
}

/** `POST /_emulator/inbound`: 200 when the webhook took the delivery, 502 when it did not. */
export function registerInbound(app: Hono<GraphEnv>, state: GraphState) {
  app.post('/_emulator/inbound', async (c) => {
    const json = await c.req.json().catch(() => undefined);
    try {
      const result = await deliverInbound(state, json);
      const ok = result.webhookStatus !== null && result.webhookStatus < 300;
      return c.json(
        { messages: [{ id: result.id }], webhook_status: result.webhookStatus },
        ok ? 200 : 502,
      );
    } catch (err) {
      if (!(err instanceof InboundInputError)) throw err;
      return graphError({ code: GraphErrorCode.InvalidParameter, details: err.message });
    }
  });
}
