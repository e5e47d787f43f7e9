/**
 * A project's CRM at a glance over a range of UTC days (the last 30 by default): messages in
 * and out per day, how long clients waited for a reply, new clients by profile type, and
 * documents by status. One request per panel, to the analytics routes.
 */
import { barList, columnChart } from '../lib/charts.js';
import { field, h } from '../lib/dom.js';
import { path } from '../lib/router.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function analyticsTab(ctx, project) {
  const base = `/projects/${encodeURIComponent(project.id)}/analytics`;
  const query = {};
  for (const key of ['from', 'to']) {
    const value = ctx.search.get(key);
    if (value && DAY.test(value)) query[key] = value;
  }
  const get = (what) => ctx.api.call('api', `${base}/${what}`, { query });
  const [messages, times, clients, documents] = await Promise.all([
    get('messages'),
    get('response-times'),
    get('clients'),
    get('documents'),
  ]);
  const days = messages.days.map((d) => d.day);

  return h(
    'div',
    { class: 'analytics' },
    rangeForm(ctx, project, messages),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Messages'),
      h(
        'p',
        {},
        total('total-in', messages.total_in, 'received'),
        ', ',
        total('total-out', messages.total_out, 'sent'),
      ),
      columnChart({
        label: 'Messages per day',
        labels: days,
        series: [
          { name: 'received', cls: 'in', values: messages.days.map((d) => d.in) },
          { name: 'sent', cls: 'out', values: messages.days.map((d) => d.out) },
        ],
      }),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Response times'),
      h(
        'p',
        {},
        total('responses', times.responses, 'replies'),
        times.responses
          ? `, ${duration(times.average_seconds)} on average, ${duration(times.max_seconds)} at most`
          : '',
      ),
      columnChart({
        label: 'Average wait for a reply per day',
        labels: times.days.map((d) => d.day),
        series: [
          { name: 'average wait', cls: 'wait', values: times.days.map((d) => d.average_seconds) },
        ],
        format: duration,
      }),
    ),
    h(
      'div',
      { class: 'cards' },
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'New clients by profile'),
        h('p', {}, total('clients-total', clients.total, 'clients')),
        barList({
          label: 'New clients by profile type',
          items: clients.by_profile_type.map((p) => ({
            name: p.profile_type ?? 'not classified',
            value: p.clients,
          })),
        }),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Documents by status'),
        h('p', {}, total('documents-total', documents.total, 'documents')),
        barList({
          label: 'Documents by status',
          items: Object.entries(documents.by_status).map(([name, value]) => ({
            name,
            value,
            cls: name,
          })),
        }),
      ),
    ),
  );
}

const total = (id, value, what) =>
  h('span', {}, h('strong', { 'data-testid': id }, value), ` ${what}`);

/** Seconds as a reader takes them in: 45 s, 12 min, 3.5 h. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return 'none';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function rangeForm(ctx, project, range) {
  const el = h(
    'form',
    { class: 'inline', 'aria-label': 'Range' },
    field('From', h('input', { name: 'from', type: 'date', value: range.from, required: true })),
    field('To', h('input', { name: 'to', type: 'date', value: range.to, required: true })),
    h('button', { type: 'submit', class: 'secondary' }, 'Show'),
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = el.elements.namedItem('from').value;
    const to = el.elements.namedItem('to').value;
    ctx.router.go(`${path('projects', project.id, 'analytics')}?from=${from}&to=${to}`);
  });
  return el;
}
