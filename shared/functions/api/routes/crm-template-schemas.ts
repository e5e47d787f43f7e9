import { z } from '@hono/zod-openapi';
import type { TemplateFields, TemplateRow } from '../../../crm/templates.ts';

/** Shared by the template routes: a template's fields (checked per kind) and its shape. */

const Parameter = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/, { message: 'Use 1 to 64 of a-z, 0-9 and _' })
    .openapi({ example: '1' }),
  example: z.string().max(200).optional().openapi({ example: 'Amina' }),
});

const Button = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('quick_reply'),
      text: z.string().min(1).max(25),
      payload: z.string().min(1).max(128).optional(),
    }),
    z.strictObject({
      type: z.literal('url'),
      text: z.string().min(1).max(25),
      url: z.url().max(2000),
    }),
    z.strictObject({
      type: z.literal('reply'),
      id: z.string().min(1).max(256),
      title: z.string().min(1).max(20),
    }),
  ])
  .openapi('TemplateButton');

const List = z
  .strictObject({
    button: z.string().min(1).max(20),
    sections: z
      .array(
        z.strictObject({
          title: z.string().min(1).max(24).optional(),
          rows: z
            .array(
              z.strictObject({
                id: z.string().min(1).max(200),
                title: z.string().min(1).max(24),
                description: z.string().min(1).max(72).optional(),
              }),
            )
            .min(1)
            .max(10),
        }),
      )
      .min(1)
      .max(10),
  })
  .openapi('TemplateList');

export const TemplateBody = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, { message: 'Use a-z, 0-9 and _, as Meta names templates' })
      .openapi({ example: 'appointment_reminder' }),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'Use a language code such as en_US' })
      .openapi({ example: 'en_US' }),
    kind: z.enum(['template', 'buttons', 'list']).openapi({
      description:
        '`template`: approved by Meta, sent by name (allowed outside the 24-hour window). ' +
        '`buttons` (1 to 3 replies) and `list`: interactive messages, only inside it.',
    }),
    body: z.string().min(1).max(1024).openapi({ example: 'Hello {{1}}, see you on {{2}}.' }),
    parameters: z.array(Parameter).max(20).default([]),
    buttons: z.array(Button).max(10).default([]),
    list: List.nullable().default(null),
    footer: z.string().min(1).max(60).nullable().default(null),
  })
  .superRefine((t, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const names = t.parameters.map((p) => p.name);
    if (new Set(names).size !== names.length) issue(['parameters'], 'Parameter names repeat');
    for (const [i, p] of t.parameters.entries()) {
      if (!new RegExp(`\\{\\{\\s*${p.name}\\s*\\}\\}`).test(t.body))
        issue(['parameters', i, 'name'], `The body has no {{${p.name}}}`);
    }
    const kinds = new Set(t.buttons.map((b) => b.type));
    if (t.kind === 'template') {
      if (kinds.has('reply')) issue(['buttons'], 'A template takes quick_reply and url buttons');
      if (t.list) issue(['list'], 'Only a list has a list');
    } else if (t.kind === 'buttons') {
      if (t.buttons.length < 1 || t.buttons.length > 3 || [...kinds].some((k) => k !== 'reply'))
        issue(['buttons'], 'Give 1 to 3 buttons of type reply');
      if (t.list) issue(['list'], 'Only a list has a list');
    } else {
      if (!t.list) issue(['list'], 'A list needs its list');
      else if (t.list.sections.reduce((n, s) => n + s.rows.length, 0) > 10)
        issue(['list', 'sections'], 'A list has at most 10 rows in all');
      if (t.buttons.length) issue(['buttons'], 'A list has no buttons');
    }
  })
  .openapi('TemplateRequest', {
    example: {
      name: 'appointment_reminder',
      language: 'en_US',
      kind: 'template',
      body: 'Hello {{1}}, see you on {{2}}.',
      parameters: [{ name: '1' }, { name: '2' }],
      buttons: [],
      list: null,
      footer: null,
    },
  });

export const TemplateSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    name: z.string(),
    language: z.string(),
    kind: z.enum(['template', 'buttons', 'list']),
    body: z.string(),
    parameters: z.array(Parameter),
    buttons: z.array(Button),
    list: List.nullable(),
    footer: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Template');

export function toFields(body: z.infer<typeof TemplateBody>): TemplateFields {
  return { ...body };
}

export function toTemplate(row: TemplateRow): z.infer<typeof TemplateSchema> {
  return {
    id: row.id,
    project_id: row.projectId,
    name: row.name,
    language: row.language,
    kind: row.kind,
    body: row.body,
    parameters: row.parameters,
    buttons: row.buttons as z.infer<typeof Button>[],
    list: row.list,
    footer: row.footer,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
