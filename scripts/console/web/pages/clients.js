/**
 * A project's clients, two ways: the inbox (last activity first, live as messages arrive on
 * `crm:<project id>`) and the directory (by name, with a status filter and a form to add
 * one). Both search by name, phone or email (`q`) and open a client's page.
 */
import { field, h, time } from '../lib/dom.js';
import { liveBadge, subscribe } from '../lib/live.js';
import { path } from '../lib/router.js';
import { form, link, pagedList } from '../lib/ui.js';
import { importPanel } from './imports.js';

const STATUSES = ['new', 'active', 'waiting', 'closed', 'archived'];

export async function inboxTab(ctx, project) {
  const q = ctx.search.get('q') ?? '';
  const latest = new Map(); // client id → the last message seen live
  const list = clientList(ctx, project, { q, sort: 'last_activity_at', order: 'desc', latest });
  const badge = liveBadge();

  // Coalesced: a burst of messages reloads the first page once more, not once each.
  let reloading = null;
  let again = false;
  const reload = () => {
    if (reloading) {
      again = true;
      return;
    }
    reloading = list
      .reload()
      .catch((err) => ctx.handle(err) || console.error(err))
      .finally(() => {
        reloading = null;
        if (again) {
          again = false;
          reload();
        }
      });
  };
  subscribe(ctx, `crm:${project.id}`, {
    onMessage: (event, payload) => {
      if (event === 'message') latest.set(payload.client_id, payload);
      if (event === 'message' || event === 'client' || event === 'client_deleted') reload();
    },
    onStatus: badge.set,
  });

  await list.ready;
  return h(
    'div',
    { class: 'inbox' },
    h('div', { class: 'toolbar' }, searchForm(ctx, project, 'inbox', q), badge.el),
    list.el,
  );
}

export async function clientsTab(ctx, project) {
  const q = ctx.search.get('q') ?? '';
  const status = ctx.search.get('status') ?? '';
  const list = clientList(ctx, project, { q, status, sort: 'name', order: 'asc' });
  const canWrite = project.role === 'owner' || project.role === 'editor';

  const add = form(
    ctx,
    { class: 'inline', 'aria-label': 'New client' },
    [
      field('Phone', h('input', { name: 'phone', required: true, placeholder: '+34 612 345 678' })),
      field('Name', h('input', { name: 'name', maxlength: 200 })),
      field('Email', h('input', { name: 'email', type: 'email', maxlength: 320 })),
    ],
    'Add client',
    async ({ phone, name, email }) => {
      const body = { phone, ...(name ? { name } : {}), ...(email ? { email } : {}) };
      const client = await ctx.api.call(
        'api',
        `/projects/${encodeURIComponent(project.id)}/clients`,
        {
          method: 'POST',
          body,
        },
      );
      ctx.router.go(path('projects', project.id, 'clients', client.id));
    },
  );

  const filter = h(
    'select',
    { 'aria-label': 'Status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  const search = searchForm(ctx, project, 'clients', q, filter);

  await list.ready;
  return h(
    'div',
    { class: 'clients' },
    canWrite ? h('div', { class: 'card' }, h('h2', {}, 'New client'), add) : null,
    canWrite
      ? h(
          'div',
          { class: 'card' },
          h('h2', {}, 'Import from CSV'),
          importPanel(ctx, project, list.reload),
        )
      : null,
    h('div', { class: 'toolbar' }, search),
    list.el,
  );
}

function clientList(ctx, project, { q, status, sort, order, latest }) {
  const base = `/projects/${encodeURIComponent(project.id)}/clients`;
  return pagedList(ctx, {
    label: 'Clients',
    load: (cursor) =>
      ctx.api.list('api', base, {
        cursor,
        q: q || undefined,
        status: status || undefined,
        sort,
        order,
        limit: 20,
      }),
    item: (client) => clientRow(ctx, project, client, latest?.get(client.id)),
    empty: q || status ? 'No client matches.' : 'No clients yet.',
  });
}

function clientRow(ctx, project, client, message) {
  const open = windowOpen(client);
  return h(
    'li',
    { class: 'row client', 'data-client': client.id },
    link(ctx, path('projects', project.id, 'clients', client.id), h('strong', {}, client.name)),
    h('span', { class: 'muted' }, client.phone),
    h('span', { class: `badge ${client.status}`, 'data-status': client.status }, client.status),
    client.profile_type && h('span', { class: 'badge' }, client.profile_type),
    h(
      'span',
      { class: `badge window ${open ? 'open' : 'closed'}` },
      open ? 'window open' : 'templates only',
    ),
    message &&
      h(
        'span',
        { class: `clip preview ${message.direction}`, 'data-testid': 'preview' },
        message.direction === 'in' ? '← ' : '→ ',
        message.body ?? `[${message.type}]`,
      ),
    h('span', { class: 'muted right' }, time(client.last_activity_at)),
  );
}

/**
 * Whether free text may still be sent: the 24-hour window since they last wrote. Only
 * a hint on the page; the API decides (409 `template_required`).
 */
export function windowOpen(client) {
  return Boolean(
    client.service_window_closes_at && Date.parse(client.service_window_closes_at) > Date.now(),
  );
}

function searchForm(ctx, project, tab, q, ...extra) {
  const el = h(
    'form',
    { role: 'search', class: 'inline' },
    h('input', {
      name: 'q',
      type: 'search',
      value: q,
      maxlength: 100,
      placeholder: 'Name, phone or email',
      'aria-label': 'Search clients',
    }),
    extra,
    h('button', { type: 'submit', class: 'secondary' }, 'Search'),
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const value = el.elements.namedItem('q').value.trim();
    if (value) params.set('q', value);
    const status = el.elements.namedItem('status')?.value;
    if (status) params.set('status', status);
    const query = params.toString();
    ctx.router.go(path('projects', project.id, tab) + (query ? `?${query}` : ''));
  });
  return el;
}
