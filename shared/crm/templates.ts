import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import type { OutboundMessage, TemplateComponent } from '../whatsapp/graph-types.ts';

/**
 * Message templates of a project. `template` is one approved by Meta (sent by name and
 * language, with its body parameters and quick-reply payloads; allowed outside the 24-hour
 * window); `buttons` and `list` are interactive messages built here (free-form: only inside
 * the window).
 */
export type TemplateKind = 'template' | 'buttons' | 'list';

export interface TemplateParameter {
  /** `1`, `2`… for Meta's positional parameters, or a name (`first_name`). */
  name: string;
  example?: string;
}

export type TemplateButton =
  | { type: 'quick_reply'; text: string; payload?: string }
  | { type: 'url'; text: string; url: string }
  | { type: 'reply'; id: string; title: string };

export interface TemplateList {
  button: string;
  sections: Array<{
    title?: string;
    rows: Array<{ id: string; title: string; description?: string }>;
  }>;
}

export interface TemplateFields {
  name: string;
  language: string;
  kind: TemplateKind;
  body: string;
  parameters: TemplateParameter[];
  buttons: TemplateButton[];
  list: TemplateList | null;
  footer: string | null;
}

export interface TemplateRow extends TemplateFields {
  id: string;
  projectId: string;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (tx: Tx) => tx`
  t.id, t.project_id as "projectId", t.name, t.language, t.kind, t.body, t.parameters, t.buttons,
  t.list, t.footer, t.created_at as "createdAt", t.updated_at as "updatedAt"`;

const json = (tx: Tx, value: unknown) => tx.json(value as postgres.JSONValue);

/** One page of the project's templates by (created_at, id). */
export function listTemplates(
  tx: Tx,
  projectId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<Array<TemplateRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`t.created_at`,
    keyType: 'timestamptz',
    id: tx`t.id`,
    idType: 'uuid',
  };
  return tx<Array<TemplateRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.crm_templates t
     where t.project_id = ${projectId}::uuid and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

export async function findTemplate(
  tx: Tx,
  projectId: string,
  id: string,
): Promise<TemplateRow | undefined> {
  const [row] = await tx<TemplateRow[]>`
    select ${columns(tx)} from public.crm_templates t
     where t.id = ${id}::uuid and t.project_id = ${projectId}::uuid`;
  return row;
}

/** Adds a template as the caller (owners and editors; a name and language taken: 409). */
export async function createTemplate(
  tx: Tx,
  projectId: string,
  f: TemplateFields,
): Promise<TemplateRow> {
  const [row] = await tx<TemplateRow[]>`
    insert into public.crm_templates as t
           (project_id, name, language, kind, body, parameters, buttons, list, footer)
    values (${projectId}::uuid, ${f.name}, ${f.language}, ${f.kind}, ${f.body},
            ${json(tx, f.parameters)}, ${json(tx, f.buttons)},
            ${f.list ? json(tx, f.list) : null}, ${f.footer})
    returning ${columns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Replaces a template's fields; undefined when RLS let nothing change. */
export async function replaceTemplate(
  tx: Tx,
  projectId: string,
  id: string,
  f: TemplateFields,
): Promise<TemplateRow | undefined> {
  const [row] = await tx<TemplateRow[]>`
    update public.crm_templates t
       set name = ${f.name}, language = ${f.language}, kind = ${f.kind}, body = ${f.body},
           parameters = ${json(tx, f.parameters)}, buttons = ${json(tx, f.buttons)},
           list = ${f.list ? json(tx, f.list) : null}, footer = ${f.footer}
     where t.id = ${id}::uuid and t.project_id = ${projectId}::uuid
    returning ${columns(tx)}`;
  return row;
}

/** Removes a template (messages sent with it keep their text); false when RLS refused. */
export async function deleteTemplate(tx: Tx, projectId: string, id: string): Promise<boolean> {
  const rows = await tx`
    delete from public.crm_templates t where t.id = ${id}::uuid and t.project_id = ${projectId}::uuid`;
  return rows.count > 0;
}

/** `{{name}}` or `{{ name }}` in a body. */
const placeholder = (name: string) =>
  new RegExp(`\\{\\{\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}\\}`, 'g');

/** The body with every parameter's placeholder replaced by its value. */
export function renderBody(t: Pick<TemplateFields, 'body' | 'parameters'>, values: Values): string {
  return t.parameters.reduce(
    (text, p) => text.replace(placeholder(p.name), () => values[p.name] ?? ''),
    t.body,
  );
}

export type Values = Readonly<Record<string, string>>;

/** Problems with the values for a template's parameters: missing ones and unknown ones. */
export function parameterProblems(t: Pick<TemplateFields, 'parameters'>, values: Values) {
  const names = new Set(t.parameters.map((p) => p.name));
  return {
    missing: t.parameters.filter((p) => !values[p.name]?.trim()).map((p) => p.name),
    unknown: Object.keys(values).filter((k) => !names.has(k)),
  };
}

/** Whether sending it is a free-form message, which Meta refuses outside the 24-hour window. */
export const isFreeForm = (kind: TemplateKind) => kind !== 'template';

/**
 * The Graph API message for `t` with `values`, to `to` (E.164), and the text the timeline
 * shows for it.
 *
 * @example
 * const { message, body } = renderTemplate(template, { '1': 'Ada' }, '+34612345678');
 */
export function renderTemplate(
  t: TemplateFields,
  values: Values,
  to: string,
): { message: OutboundMessage; body: string } {
  const body = renderBody(t, values);
  const footer = t.footer ? { footer: { text: t.footer } } : {};
  if (t.kind === 'buttons') {
    const buttons = t.buttons.flatMap((b) =>
      b.type === 'reply' ? [{ type: 'reply' as const, reply: { id: b.id, title: b.title } }] : [],
    );
    return {
      message: {
        to,
        type: 'interactive',
        interactive: { type: 'button', body: { text: body }, ...footer, action: { buttons } },
      },
      body,
    };
  }
  if (t.kind === 'list') {
    if (!t.list) throw new TypeError('a list template without its list');
    return {
      message: {
        to,
        type: 'interactive',
        interactive: { type: 'list', body: { text: body }, ...footer, action: t.list },
      },
      body,
    };
  }
  const components: TemplateComponent[] = [];
  if (t.parameters.length) {
    components.push({
      type: 'body',
      parameters: t.parameters.map((p) => ({
        type: 'text' as const,
        text: values[p.name] ?? '',
        // Meta names parameters only in templates created with named ones.
        ...(/^\d+$/.test(p.name) ? {} : { parameter_name: p.name }),
      })),
    });
  }
  t.buttons.forEach((b, index) => {
    if (b.type === 'quick_reply' && b.payload) {
      components.push({
        type: 'button',
        sub_type: 'quick_reply',
        index,
        parameters: [{ type: 'payload', payload: b.payload }],
      });
    }
  });
  return {
    message: {
      to,
      type: 'template',
      template: {
        name: t.name,
        language: { code: t.language },
        ...(components.length ? { components } : {}),
      },
    },
    body,
  };
}
