/**
 * A client's timeline, newest first: messages in and out with their statuses and media, and
 * what happened to the client (created, classified, profile or status changed). Entries are
 * kept by id, so a live update replaces the entry it is about instead of adding one.
 */
import { h, replace, time } from '../lib/dom.js';
import { button, run } from '../lib/ui.js';

/**
 * The timeline of `client`: `el`, `ready` (the first page), and `upsert(entry)` for what
 * arrives live or is sent from this page. A live message (`crm:<project>`'s `message` and
 * `message_updated`) has fewer fields than the API's entry; what it has replaces those.
 */
export function timelineView(ctx, project, client) {
  const base = `/projects/${encodeURIComponent(project.id)}/clients/${encodeURIComponent(client.id)}/timeline`;
  const entries = new Map();
  const nodes = new Map();
  const items = h('ol', { class: 'list timeline', 'aria-label': 'Timeline' });
  const status = h('div', { class: 'status' });
  const more = h('button', { type: 'button', class: 'secondary more', hidden: true }, 'Load more');
  let cursor = null;

  function upsert(entry, { atEnd = false } = {}) {
    const merged = { entry: 'message', ...entries.get(entry.id), ...entry };
    entries.set(entry.id, merged);
    const node = renderEntry(ctx, merged);
    const old = nodes.get(entry.id);
    nodes.set(entry.id, node);
    if (old) old.replaceWith(node);
    else if (atEnd) items.append(node);
    else items.prepend(node);
    status.replaceChildren();
  }

  async function next() {
    const page = await ctx.api.list('api', base, { cursor: cursor ?? undefined, limit: 20 });
    for (const entry of page.data) if (!nodes.has(entry.id)) upsert(entry, { atEnd: true });
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (nodes.size === 0) replace(status, h('p', { class: 'muted empty' }, 'Nothing yet.'));
  }
  more.addEventListener('click', () => run(ctx, more, status, next));

  return { el: h('div', { class: 'paged' }, items, status, more), ready: next(), upsert };
}

function renderEntry(ctx, entry) {
  if (entry.entry === 'event') {
    return h(
      'li',
      { class: 'entry event', 'data-entry': entry.id, 'data-kind': entry.kind },
      h('span', { class: 'muted' }, eventText(entry)),
      h('span', { class: 'muted right' }, time(entry.occurred_at)),
    );
  }
  const out = entry.direction === 'out';
  return h(
    'li',
    {
      class: `entry message ${entry.direction}`,
      'data-entry': entry.id,
      'data-direction': entry.direction,
      'data-status': entry.status,
    },
    h(
      'div',
      { class: 'meta' },
      h('strong', {}, out ? 'Sent' : 'Received'),
      h('span', { class: 'badge' }, entry.type),
      h('span', { class: `badge status ${entry.status}`, 'data-testid': 'status' }, entry.status),
      entry.attempts?.length > 1 &&
        h('span', { class: 'muted' }, `${entry.attempts.length} attempts`),
      h('span', { class: 'muted right' }, time(entry.occurred_at)),
    ),
    entry.body && h('p', { class: 'content' }, entry.body),
    entry.media && mediaView(ctx, entry.media),
    entry.error && h('p', { class: 'error' }, entry.error.message ?? entry.error.title ?? 'Failed'),
  );
}

function eventText(entry) {
  const d = entry.data ?? {};
  switch (entry.kind) {
    case 'created':
      return 'Client created';
    case 'classified':
      return `Classified as ${d.profile_type} (confidence ${Number(d.confidence ?? 0).toFixed(2)}${d.applied ? ', applied' : ', not applied'})${d.reason ? `: ${d.reason}` : ''}`;
    case 'profile_changed':
      return `Profile: ${d.from ?? 'none'} → ${d.to ?? 'none'}`;
    case 'status_changed':
      return `Status: ${d.from ?? 'none'} → ${d.to ?? 'none'}`;
    default:
      return entry.kind;
  }
}

/**
 * A message's file: once kept in Storage, opened through a 60-second signed link (images
 * shown inline); otherwise what became of it.
 */
function mediaView(ctx, media) {
  const box = h('div', { class: 'media', 'data-state': media.state });
  if (media.state !== 'stored') {
    const says = {
      pending: 'File on its way from WhatsApp…',
      reference: 'File kept at WhatsApp (by reference)',
      failed: 'The file could not be fetched',
    };
    return replace(box, h('span', { class: 'muted' }, says[media.state] ?? media.state));
  }
  const status = h('span', { class: 'status' });
  const open = button(ctx, { class: 'secondary' }, 'Open file', status, async () => {
    const { data, error } = await ctx.supabase.storage
      .from('documents')
      .createSignedUrl(media.path, 60);
    if (error) throw error;
    const image = String(media.mime_type ?? '').startsWith('image/');
    replace(
      box,
      image ? h('img', { class: 'media-image', src: data.signedUrl, alt: 'Image' }) : null,
      h('a', { href: data.signedUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Download'),
      h('small', { class: 'muted' }, ` ${media.mime_type ?? ''}, link valid for 60 s`),
    );
  });
  return replace(box, open, h('small', { class: 'muted' }, ` ${media.mime_type ?? ''}`), status);
}
