/** A project's conversation history, newest first, and a box to add to it. */
import { field, h, shortId, time } from '../lib/dom.js';
import { form, pagedList } from '../lib/ui.js';

export async function historyTab(ctx, project) {
  const base = `/projects/${encodeURIComponent(project.id)}/messages`;
  const me = (await ctx.user())?.id;

  const list = pagedList(ctx, {
    label: 'History',
    load: (cursor) => ctx.api.list('api', base, { cursor, order: 'desc', limit: 20 }),
    item: (message) => messageItem(message, me),
    empty:
      project.role === null
        ? 'No history to show: it is private to the project’s members.'
        : 'No messages yet.',
  });

  // Viewers read only; assistant and system messages come from the worker.
  const canPost = project.role === 'owner' || project.role === 'editor';
  const compose = form(
    ctx,
    { 'aria-label': 'New message' },
    [
      field(
        'Message',
        h('textarea', { name: 'content', required: true, rows: 3, maxlength: 100000 }),
      ),
      field(
        'Kind',
        h(
          'select',
          { name: 'kind' },
          ['text', 'code'].map((k) => h('option', { value: k }, k)),
        ),
      ),
    ],
    'Post',
    async ({ content, kind }, el) => {
      await ctx.api.call('api', base, { method: 'POST', body: { content, kind } });
      el.reset();
      await list.reload();
    },
  );

  await list.ready;
  return h(
    'div',
    { class: 'history' },
    canPost ? h('div', { class: 'card' }, compose) : null,
    list.el,
  );
}

function messageItem(message, me) {
  const author =
    message.author_kind === 'user'
      ? message.author_id === me
        ? 'you'
        : h('span', {}, 'user ', shortId(message.author_id ?? ''))
      : message.author_kind;
  return h(
    'li',
    { class: `message ${message.author_kind}`, 'data-message': message.id },
    h(
      'div',
      { class: 'meta' },
      h('strong', {}, author),
      h('span', { class: 'badge' }, message.kind),
      message.generation_id &&
        h('span', { class: 'muted' }, 'generation ', shortId(message.generation_id)),
      h('span', { class: 'muted right' }, time(message.created_at)),
    ),
    message.kind === 'code'
      ? h('pre', { class: 'content' }, h('code', {}, message.content))
      : h('p', { class: 'content' }, message.content),
  );
}
