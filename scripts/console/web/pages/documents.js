/**
 * A client's documents: upload one (through the API, which checks its size and type), open
 * it through a 60-second signed link, set its status (pending, verified, rejected; who set
 * it is kept), delete it. WhatsApp media a client sent is listed here too.
 */
import { field, h, replace, shortId, time } from '../lib/dom.js';
import { button, form, run } from '../lib/ui.js';

const STATUSES = ['pending', 'verified', 'rejected'];
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.webp,.heic,.docx,.txt';

export async function documentsPanel(ctx, project, client) {
  const base = `/projects/${encodeURIComponent(project.id)}/clients/${encodeURIComponent(client.id)}/documents`;
  const canWrite = project.role === 'owner' || project.role === 'editor';
  const items = h('ul', { class: 'list documents', 'aria-label': 'Documents' });
  const status = h('div', { class: 'status', 'aria-live': 'polite' });

  async function load() {
    const { data } = await ctx.api.call('api', base);
    replace(items, data.map(row));
    if (!data.length) replace(status, h('p', { class: 'muted empty' }, 'No documents yet.'));
    else status.replaceChildren();
  }

  function row(doc) {
    const at = `${base}/${encodeURIComponent(doc.id)}`;
    const opened = h('span', { class: 'opened' });
    const select = h(
      'select',
      { 'aria-label': 'Document status', name: 'status', disabled: !canWrite },
      STATUSES.map((s) => h('option', { value: s, selected: s === doc.status }, s)),
    );
    select.addEventListener('change', () =>
      run(ctx, select, status, async () => {
        await ctx.api.call('api', at, { method: 'PATCH', body: { status: select.value } });
        await load();
      }),
    );
    return h(
      'li',
      { class: 'row document', 'data-document': doc.id, 'data-status': doc.status },
      h('strong', {}, doc.file_name),
      h('span', { class: 'muted' }, `${doc.content_type}, ${size(doc.size_bytes)}`),
      doc.source === 'whatsapp' && h('span', { class: 'badge' }, 'WhatsApp'),
      select,
      doc.status_changed_by &&
        h(
          'span',
          { class: 'muted small' },
          'by ',
          shortId(doc.status_changed_by),
          ' ',
          time(doc.status_changed_at),
        ),
      h(
        'span',
        { class: 'right controls' },
        button(ctx, { class: 'secondary' }, 'Open', status, async () => {
          const link = await ctx.api.call('api', `${at}/link`);
          replace(
            opened,
            h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, 'Download'),
            h('small', { class: 'muted' }, ' until ', time(link.expires_at)),
          );
        }),
        canWrite &&
          button(ctx, { class: 'danger' }, 'Delete', status, async () => {
            await ctx.api.call('api', at, { method: 'DELETE' });
            await load();
          }),
      ),
      opened,
    );
  }

  const upload = form(
    ctx,
    { class: 'inline', 'aria-label': 'Upload a document' },
    [field('File', h('input', { name: 'file', type: 'file', required: true, accept: ACCEPT }))],
    'Upload',
    async (_values, el) => {
      const body = new FormData();
      body.set('file', el.elements.namedItem('file').files[0]);
      await ctx.api.call('api', base, { method: 'POST', body });
      el.reset();
      await load();
    },
  );

  await load();
  return h(
    'div',
    { class: 'card documents-panel' },
    h('h2', {}, 'Documents'),
    canWrite ? upload : null,
    status,
    items,
  );
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
