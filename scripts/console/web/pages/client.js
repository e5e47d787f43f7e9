/**
 * One client: their profile, their documents, their personal data (export, erase), their
 * timeline (live on `crm:<project id>`: messages arrive and statuses move as the worker and
 * WhatsApp report them), and a reply box.
 */
import { h, replace, time } from '../lib/dom.js';
import { liveBadge, subscribe } from '../lib/live.js';
import { path } from '../lib/router.js';
import { errorView, link, run } from '../lib/ui.js';
import { windowOpen } from './clients.js';
import { documentsPanel } from './documents.js';
import { gdprPanel } from './gdpr.js';
import { replyView } from './reply.js';
import { timelineView } from './timeline.js';

const STATUSES = ['new', 'active', 'waiting', 'closed'];
/** WhatsApp's customer service window, after the client's last message. */
const WINDOW_MS = 24 * 3600 * 1000;

export async function clientPage(ctx, project) {
  const at = `/projects/${encodeURIComponent(project.id)}/clients/${encodeURIComponent(ctx.params.clientId)}`;
  const client = await ctx.api.call('api', at);
  const canWrite = project.role === 'owner' || project.role === 'editor';
  const badge = liveBadge();
  const problems = h('div', { class: 'status', 'aria-live': 'polite' });
  const profile = h('div', { class: 'profile' });
  const reply = h('div', { class: 'reply-slot' });
  const timeline = timelineView(ctx, project, client);

  const showProfile = () => replace(profile, profileView(ctx, at, client, canWrite, problems));
  const showReply = async () => {
    if (!canWrite) {
      return replace(reply, h('p', { class: 'muted' }, 'Viewers read; owners and editors reply.'));
    }
    replace(reply, await replyView(ctx, project, client, (m) => timeline.upsert(m)));
  };

  subscribe(ctx, `crm:${project.id}`, {
    onStatus: badge.set,
    onMessage: (event, payload) => {
      if (event === 'client' && payload.id === client.id) {
        Object.assign(client, payload);
        showProfile();
      } else if (payload.client_id !== client.id) {
        return;
      } else if (event === 'message' || event === 'message_updated') {
        timeline.upsert({ entry: 'message', ...payload });
        if (event === 'message' && payload.direction === 'in') {
          const wasOpen = windowOpen(client);
          client.last_inbound_at = payload.occurred_at;
          client.service_window_closes_at = new Date(
            Date.parse(payload.occurred_at) + WINDOW_MS,
          ).toISOString();
          if (!wasOpen) {
            showReply().catch((err) => ctx.handle(err) || replace(problems, errorView(err)));
          }
        }
      } else if (event === 'client_event') {
        timeline.upsert({ entry: 'event', ...payload });
      }
    },
  });

  showProfile();
  const [documents] = await Promise.all([
    documentsPanel(ctx, project, client),
    showReply(),
    timeline.ready,
  ]);
  return h(
    'div',
    { class: 'client-page', 'data-client': client.id },
    h(
      'p',
      { class: 'crumbs' },
      link(ctx, path('projects', project.id, 'clients'), 'Clients'),
      ' / ',
    ),
    profile,
    documents,
    gdprPanel(ctx, project, client, at),
    problems,
    reply,
    h('div', { class: 'row' }, h('h2', {}, 'Timeline'), badge.el),
    timeline.el,
  );
}

function profileView(ctx, at, client, canWrite, problems) {
  const status = h(
    'select',
    { 'aria-label': 'Client status', name: 'status', disabled: !canWrite },
    [...new Set([...STATUSES, client.status])].map((s) =>
      h('option', { value: s, selected: s === client.status }, s),
    ),
  );
  status.addEventListener('change', () =>
    run(ctx, status, problems, async () => {
      Object.assign(
        client,
        await ctx.api.call('api', at, { method: 'PATCH', body: { status: status.value } }),
      );
    }),
  );
  const confidence =
    client.profile_confidence === null ? '' : ` (${client.profile_confidence.toFixed(2)})`;
  return h(
    'div',
    { class: 'card' },
    h('h2', { 'data-testid': 'client-name' }, client.name),
    h(
      'dl',
      { class: 'details' },
      h('dt', {}, 'Phone'),
      h('dd', { 'data-testid': 'client-phone' }, client.phone),
      h('dt', {}, 'Email'),
      h('dd', {}, client.email ?? h('span', { class: 'muted' }, 'none')),
      h('dt', {}, 'Status'),
      h('dd', {}, status),
      h('dt', {}, 'Profile'),
      h(
        'dd',
        {},
        client.profile_type
          ? `${client.profile_type}${confidence}, by ${client.profile_source ?? 'hand'}`
          : h('span', { class: 'muted' }, 'none yet'),
      ),
      h('dt', {}, 'Tags'),
      h(
        'dd',
        {},
        client.tags?.length ? client.tags.map((t) => h('span', { class: 'badge' }, t)) : '–',
      ),
      h('dt', {}, 'Last wrote'),
      h('dd', {}, client.last_inbound_at ? time(client.last_inbound_at) : 'never'),
    ),
    client.notes && h('p', { class: 'content' }, client.notes),
  );
}
