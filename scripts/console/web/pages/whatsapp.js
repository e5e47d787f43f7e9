/**
 * A project's WhatsApp setup: the connected business numbers (the owner connects and removes
 * them; the access token goes in once and is never shown again), the message templates and
 * the classifier of inbound text (owners and editors change those). Everyone in the project
 * reads all three.
 */
import { field, h, time } from '../lib/dom.js';
import { button, form, pagedList } from '../lib/ui.js';
import { classifierPanel } from './classifier.js';

export async function whatsappTab(ctx, project) {
  const at = (...parts) => `/projects/${[project.id, ...parts].map(encodeURIComponent).join('/')}`;
  const owner = project.role === 'owner';
  const writes = owner || project.role === 'editor';
  const status = h('div', { class: 'status', 'aria-live': 'polite' });

  const remove = (path, list, question) =>
    button(ctx, { class: 'danger' }, 'Remove', status, async () => {
      if (question && !window.confirm(question)) return;
      await ctx.api.call('api', path, { method: 'DELETE' });
      await list.reload();
    });

  const channels = pagedList(ctx, {
    label: 'Numbers',
    load: (cursor) => ctx.api.list('api', at('channels'), { cursor, limit: 50 }),
    item: (c) =>
      h(
        'li',
        { class: 'row', 'data-channel': c.id },
        h('strong', {}, c.name),
        h('span', {}, c.display_phone_number ?? ''),
        h('code', { class: 'muted' }, c.phone_number_id),
        h('span', { class: 'muted' }, 'since ', time(c.created_at)),
        h(
          'span',
          { class: 'right controls' },
          owner &&
            remove(
              at('channels', c.id),
              channels,
              `Disconnect ${c.name}? Its messages stop arriving here until it is connected again.`,
            ),
        ),
      ),
    empty: 'No number connected yet.',
  });
  const connect = form(
    ctx,
    { class: 'inline', 'aria-label': 'Connect a number' },
    [
      field('Name', h('input', { name: 'name', required: true, maxlength: 120 })),
      field('Phone number id', h('input', { name: 'phone_number_id', required: true })),
      field('Display number', h('input', { name: 'display_phone_number', maxlength: 32 })),
      field('Access token', h('input', { name: 'access_token', type: 'password', required: true })),
    ],
    'Connect',
    async ({ display_phone_number, ...rest }, el) => {
      const body = { ...rest, display_phone_number: display_phone_number || null };
      await ctx.api.call('api', at('channels'), { method: 'POST', body });
      el.reset();
      await channels.reload();
    },
  );

  const templates = pagedList(ctx, {
    label: 'Templates',
    load: (cursor) => ctx.api.list('api', at('templates'), { cursor, limit: 50 }),
    item: (t) =>
      h(
        'li',
        { class: 'row', 'data-template': t.id },
        h('strong', {}, t.name),
        h('span', { class: 'badge' }, t.language),
        h('span', { class: 'badge' }, t.kind),
        h('span', { class: 'content' }, t.body),
        h('span', { class: 'right controls' }, writes && remove(at('templates', t.id), templates)),
      ),
    empty: 'No templates yet.',
  });
  const addTemplate = form(
    ctx,
    { class: 'inline', 'aria-label': 'Add a template' },
    [
      field(
        'Name',
        h('input', { name: 'name', required: true, placeholder: 'appointment_reminder' }),
      ),
      field('Language', h('input', { name: 'language', required: true, placeholder: 'en_US' })),
      field(
        'Body',
        h('textarea', { name: 'body', required: true, maxlength: 1024, rows: 2 }),
        'As approved by Meta; {{1}}, {{2}}… are filled in when it is sent.',
      ),
    ],
    'Add template',
    async ({ name, language, body }, el) => {
      const parameters = placeholders(body).map((p) => ({ name: p }));
      await ctx.api.call('api', at('templates'), {
        method: 'POST',
        body: { name, language, kind: 'template', body, parameters },
      });
      el.reset();
      await templates.reload();
    },
  );

  const [classifier] = await Promise.all([
    classifierPanel(ctx, project, at('classifier')),
    channels.ready,
    templates.ready,
  ]);
  return h(
    'div',
    { class: 'whatsapp' },
    h('h2', {}, 'Numbers'),
    owner ? h('div', { class: 'card' }, connect) : null,
    channels.el,
    h('h2', {}, 'Templates'),
    writes ? h('div', { class: 'card' }, addTemplate) : null,
    templates.el,
    h('h2', {}, 'Classifier'),
    h('div', { class: 'card' }, classifier),
    status,
  );
}

/** The template's placeholders, `{{1}}` or `{{name}}`, each once, in order of appearance. */
function placeholders(body) {
  return [...new Set([...body.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1]))];
}
