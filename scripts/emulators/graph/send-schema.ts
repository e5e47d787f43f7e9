import { z } from 'zod';

/**
 * What `POST /{phone_number_id}/messages` accepts, with the limits Meta enforces, so code
 * that passes here is not refused by Meta for its shape. Meta's own wording of a refusal is
 * `(#100) Invalid parameter` with the details; the emulator names the field the same way.
 */

const media = z
  .object({
    id: z.string().min(1).optional(),
    link: z.url().optional(),
    caption: z.string().max(1024).optional(),
    filename: z.string().max(240).optional(),
  })
  .refine((m) => Boolean(m.id) !== Boolean(m.link), { message: 'give exactly one of id or link' });

const parameter = z.looseObject({ type: z.string().min(1), parameter_name: z.string().optional() });

const template = z.object({
  name: z.string().min(1).max(512),
  language: z.object({
    code: z.string().min(2).max(15),
    policy: z.literal('deterministic').optional(),
  }),
  components: z
    .array(
      z.looseObject({
        type: z.enum(['header', 'body', 'button', 'footer']),
        sub_type: z.string().optional(),
        index: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
        parameters: z.array(parameter).optional(),
      }),
    )
    .optional(),
});

const reply = z.object({
  type: z.literal('reply'),
  reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
});

const row = z.object({
  id: z.string().min(1).max(200),
  title: z.string().min(1).max(24),
  description: z.string().max(72).optional(),
});

const frame = {
  header: z.looseObject({ type: z.enum(['text', 'image', 'video', 'document']) }).optional(),
  body: z.object({ text: z.string().min(1).max(1024) }),
  footer: z.object({ text: z.string().min(1).max(60) }).optional(),
};

const interactive = z.discriminatedUnion('type', [
  z.object({
    ...frame,
    type: z.literal('button'),
    action: z.object({ buttons: z.array(reply).min(1).max(3) }),
  }),
  z.object({
    ...frame,
    type: z.literal('list'),
    action: z.object({
      button: z.string().min(1).max(20),
      sections: z
        .array(z.object({ title: z.string().max(24).optional(), rows: z.array(row).min(1) }))
        .min(1)
        .max(10)
        .refine((s) => s.reduce((n, x) => n + x.rows.length, 0) <= 10, {
          message: 'a list has at most 10 rows in all',
        }),
    }),
  }),
  z.object({
    ...frame,
    type: z.literal('cta_url'),
    action: z.object({
      name: z.literal('cta_url'),
      parameters: z.object({ display_text: z.string().min(1).max(20), url: z.url() }),
    }),
  }),
]);

export const MESSAGE_TYPES = [
  'text',
  'template',
  'interactive',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'reaction',
] as const;

export const sendRequestSchema = z
  .object({
    messaging_product: z.literal('whatsapp'),
    recipient_type: z.literal('individual').optional(),
    to: z.string().regex(/^\+?[\d\s().-]{5,24}$/, { message: 'must be a phone number' }),
    // Meta sends a text message when no type is given.
    type: z.enum(MESSAGE_TYPES).default('text'),
    context: z.object({ message_id: z.string().min(1) }).optional(),
    biz_opaque_callback_data: z.string().max(512).optional(),
    text: z
      .object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() })
      .optional(),
    template: template.optional(),
    interactive: interactive.optional(),
    image: media.optional(),
    audio: media.optional(),
    video: media.optional(),
    document: media.optional(),
    sticker: media.optional(),
    location: z
      .object({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        name: z.string().optional(),
        address: z.string().optional(),
      })
      .optional(),
    reaction: z.object({ message_id: z.string().min(1), emoji: z.string() }).optional(),
  })
  .superRefine((body, ctx) => {
    if (body[body.type] === undefined) {
      ctx.addIssue({ code: 'custom', path: [body.type], message: 'is required' });
    }
  });

export type SendRequest = z.infer<typeof sendRequestSchema>;

/** `(#100)` details naming the first bad field, as `Param text['body'] …` does. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid parameter';
  const [head, ...rest] = issue.path.map(String);
  const param = `${head ?? 'body'}${rest.map((p) => `['${p}']`).join('')}`;
  return `Param ${param}: ${issue.message}`;
}

/** The media id a message refers to, if it sends uploaded media. */
export function mediaIdOf(body: SendRequest): string | undefined {
  const type = body.type;
  if (type === 'image' || type === 'audio' || type === 'video' || type === 'document') {
    return body[type]?.id;
  }
  return type === 'sticker' ? body.sticker?.id : undefined;
}
