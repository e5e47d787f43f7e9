/**
 * Answering a client: free text inside the 24-hour window since they last wrote, a stored
 * template at any time. The worker sends it; `sent(message)` gets the queued message.
 */
import { field, h, replace } from '../lib/dom.js';
import { form } from '../lib/ui.js';
import { windowOpen } from './clients.js';

export async function replyView(ctx, project, client, sent) {
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const to = `${base}/clients/${encodeURIComponent(client.id)}/messages`;
  const templates = (await ctx.api.list('api', `${base}/templates`, { limit: 100 })).data.filter(
    (t) => t.kind === 'template' || windowOpen(client),
  );
  const open = windowOpen(client);

  const text = form(
    ctx,
    { 'aria-label': 'Reply' },
    [field('Message', h('textarea', { name: 'text', required: true, rows: 3, maxlength: 4096 }))],
    'Send',
    async ({ text: body }, el) => {
      sent(await ctx.api.call('api', to, { method: 'POST', body: { type: 'text', text: body } }));
      el.reset();
    },
  );

  const params = h('div', { class: 'params' });
  const select = h(
    'select',
    { name: 'template_id', required: true },
    h('option', { value: '' }, 'Choose a template'),
    templates.map((t) => h('option', { value: t.id }, `${t.name} (${t.language})`)),
  );
  const showParams = () => {
    const template = templates.find((t) => t.id === select.value);
    replace(
      params,
      template && h('p', { class: 'muted small template-body' }, template.body),
      (template?.parameters ?? []).map((p) =>
        field(
          `{{${p.name}}}`,
          h('input', {
            name: `param:${p.name}`,
            required: true,
            maxlength: 1024,
            placeholder: p.example ?? '',
          }),
        ),
      ),
    );
  };
  select.addEventListener('change', showParams);
  const template = form(
    ctx,
    { 'aria-label': 'Send a template' },
    [field('Template', select), params],
    'Send template',
    async (values, el) => {
      const parameters = Object.fromEntries(
        Object.entries(values)
          .filter(([k]) => k.startsWith('param:'))
          .map(([k, v]) => [k.slice(6), v]),
      );
      sent(
        await ctx.api.call('api', to, {
          method: 'POST',
          body: { type: 'template', template_id: values.template_id, parameters },
        }),
      );
      el.reset();
      showParams();
    },
  );

  return h(
    'div',
    { class: 'card reply' },
    h('h2', {}, 'Reply'),
    open
      ? text
      : h(
          'p',
          { class: 'notice', 'data-testid': 'window-closed' },
          'More than 24 hours since they last wrote (or they never have): WhatsApp takes only ',
          'an approved template until they write again.',
        ),
    templates.length
      ? template
      : h('p', { class: 'muted small' }, 'No templates yet: add them through the API.'),
  );
}
