import { z } from 'zod';

/**
 * Inbound messages as Meta's `messages` webhook carries them, one schema per type. Objects
 * are loose: fields Meta adds later are kept, not stripped, so the stored raw delivery and
 * what processing sees stay the same. What processing reads (ids, text, media ids,
 * coordinates, reply ids) is required and typed.
 */

const nonEmpty = z.string().min(1);

/** Unix seconds; Meta sends them as strings of digits. */
export const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

/** Latitude and longitude arrive as JSON numbers; strings are tolerated. */
const coordinate = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** An error object as Meta puts it in statuses, messages and `value.errors`. */
export const webhookErrorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WebhookError = z.infer<typeof webhookErrorSchema>;

const media = {
  id: nonEmpty,
  mime_type: nonEmpty,
  sha256: z.string().optional(),
  caption: z.string().optional(),
  url: z.string().optional(),
};

const interactiveReplies = [
  z.looseObject({
    type: z.literal('button_reply'),
    button_reply: z.looseObject({ id: nonEmpty, title: z.string() }),
  }),
  z.looseObject({
    type: z.literal('list_reply'),
    list_reply: z.looseObject({
      id: nonEmpty,
      title: z.string(),
      description: z.string().optional(),
    }),
  }),
  z.looseObject({
    type: z.literal('nfm_reply'),
    nfm_reply: z.looseObject({
      response_json: z.string(),
      body: z.string().optional(),
      name: z.string().optional(),
    }),
  }),
] as const;
const KNOWN_INTERACTIVE: ReadonlySet<string> = new Set(
  interactiveReplies.map((s) => s.shape.type.value as string),
);
/** A reply to an interactive message of a kind Meta added after this schema. */
const otherInteractive = z.looseObject({
  type: z.string().refine((t) => !KNOWN_INTERACTIVE.has(t), { message: 'malformed reply' }),
});

const contactCard = z.looseObject({
  name: z.looseObject({ formatted_name: z.string() }),
  phones: z
    .array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() }))
    .optional(),
});

const orderItem = z.looseObject({
  product_retailer_id: z.string(),
  quantity: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  item_price: z.union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ]),
  currency: z.string(),
});

/** The payload of each known type, under the key of the same name. */
const payloads = {
  text: z.looseObject({ body: z.string() }),
  image: z.looseObject(media),
  video: z.looseObject(media),
  sticker: z.looseObject({ ...media, animated: z.boolean().optional() }),
  audio: z.looseObject({ ...media, voice: z.boolean().optional() }),
  document: z.looseObject({ ...media, filename: z.string().optional() }),
  location: z.looseObject({
    latitude: coordinate,
    longitude: coordinate,
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
  contacts: z.array(contactCard).min(1),
  interactive: z.union([...interactiveReplies, otherInteractive]),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }),
  reaction: z.looseObject({ message_id: nonEmpty, emoji: z.string().optional() }),
  order: z.looseObject({
    catalog_id: z.string(),
    text: z.string().optional(),
    product_items: z.array(orderItem),
  }),
  system: z.looseObject({
    body: z.string(),
    type: z.string().optional(),
    wa_id: z.string().optional(),
    customer: z.string().optional(),
  }),
};

/** Fields every inbound message has, whatever its type. */
const common = {
  id: nonEmpty,
  /** The sender's phone number (wa_id). Absent only for users Meta identifies by BSUID. */
  from: nonEmpty.optional(),
  /** The sender's business-scoped user id, where Meta sends one. */
  from_user_id: nonEmpty.optional(),
  timestamp: unixSeconds,
  context: z
    .looseObject({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequently_forwarded: z.boolean().optional(),
    })
    .optional(),
  referral: z.looseObject({}).optional(),
  errors: z.array(webhookErrorSchema).optional(),
};

const typed = <T extends keyof typeof payloads>(type: T) =>
  z.looseObject({ ...common, type: z.literal(type), [type]: payloads[type] }) as z.ZodObject<
    typeof common & { type: z.ZodLiteral<T> } & { [K in T]: (typeof payloads)[T] },
    z.core.$loose
  >;

const knownMessages = [
  typed('text'),
  typed('image'),
  typed('video'),
  typed('sticker'),
  typed('audio'),
  typed('document'),
  typed('location'),
  typed('contacts'),
  typed('interactive'),
  typed('button'),
  typed('reaction'),
  typed('order'),
  typed('system'),
  // A type Meta cannot render (`unsupported`; `unknown` on older versions), with errors.
  z.looseObject({
    ...common,
    type: z.enum(['unsupported', 'unknown']),
    unsupported: z.looseObject({ type: z.string().optional() }).optional(),
  }),
  // The user opened the chat for the first time; there is no payload.
  z.looseObject({ ...common, type: z.literal('request_welcome') }),
] as const;

/** Every message type this schema knows by name. */
export const KNOWN_MESSAGE_TYPES: ReadonlySet<string> = new Set(
  knownMessages.flatMap((s) => {
    const t = s.shape.type;
    return t instanceof z.ZodEnum ? (t.options as string[]) : [t.value as string];
  }),
);

/** A message of a type Meta added after this schema: kept, never rejected. */
const otherMessage = z.looseObject({
  ...common,
  type: z.string().refine((t) => !KNOWN_MESSAGE_TYPES.has(t), {
    message: 'malformed message of a known type',
  }),
});

export const knownInboundMessageSchema = z.union(knownMessages);

/** Any inbound message: a known type with what processing needs, or another type kept as is. */
export const inboundMessageSchema = z
  .union([...knownMessages, otherMessage])
  .refine((m) => Boolean(m.from ?? m.from_user_id), {
    message: 'a message needs `from` or `from_user_id`',
  });

export type KnownInboundMessage = z.infer<typeof knownInboundMessageSchema>;
export type OtherInboundMessage = z.infer<typeof otherMessage>;
export type InboundMessage = KnownInboundMessage | OtherInboundMessage;
export type InboundMessageType = KnownInboundMessage['type'];

/**
 * Narrows a message to the known types, so `switch (message.type)` sees each payload.
 *
 * @example
 * if (isKnownMessage(m) && m.type === 'text') console.log(m.text.body);
 */
export function isKnownMessage(message: InboundMessage): message is KnownInboundMessage {
  return KNOWN_MESSAGE_TYPES.has(message.type);
}

export type KnownInteractiveReply = z.infer<(typeof interactiveReplies)[number]>;
export type InteractiveReply = Extract<KnownInboundMessage, { type: 'interactive' }>['interactive'];

/**
 * Narrows an interactive reply to the known kinds (button, list, flow replies).
 *
 * @example
 * if (isKnownInteractive(m.interactive) && m.interactive.type === 'list_reply') …
 */
export function isKnownInteractive(reply: InteractiveReply): reply is KnownInteractiveReply {
  return KNOWN_INTERACTIVE.has(reply.type);
}
