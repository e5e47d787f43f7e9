/** A project's generations: start one, and browse past ones by status, newest first. */
import { field, h, shortId, time } from '../lib/dom.js';
import { path } from '../lib/router.js';
import { form, link, pagedList } from '../lib/ui.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const KINDS = [
  ['generate', 'Generate: write or change the app'],
  ['fix', 'Fix: repair what the analyzer finds'],
  ['build', 'Build only (no model)'],
];

export async function generationsTab(ctx, project) {
  const base = `/projects/${encodeURIComponent(project.id)}/generations`;
  const status = ctx.search.get('status') ?? '';
  const canStart = project.role === 'owner' || project.role === 'editor';

  const list = pagedList(ctx, {
    label: 'Generations',
    load: (cursor) => ctx.api.list('api', base, { cursor, status: status || undefined, limit: 20 }),
    item: (generation) => generationRow(ctx, project, generation),
    empty: status ? `No ${status} generations.` : 'No generations yet.',
  });

  const start = form(
    ctx,
    { 'aria-label': 'Start a generation' },
    [
      field(
        'What should the app do?',
        h('textarea', { name: 'prompt', required: true, rows: 3, maxlength: 20000 }),
      ),
      field(
        'Kind',
        h(
          'select',
          { name: 'kind' },
          KINDS.map(([value, label]) => h('option', { value }, label)),
        ),
      ),
    ],
    'Start generation',
    async ({ prompt, kind }) => {
      const generation = await ctx.api.call('api', base, {
        method: 'POST',
        body: { prompt, kind },
      });
      ctx.router.go(path('projects', project.id, 'generations', generation.id));
    },
  );

  const filter = h(
    'select',
    { 'aria-label': 'Status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  filter.addEventListener('change', () => {
    const here = path('projects', project.id, 'generations');
    ctx.router.go(filter.value ? `${here}?status=${filter.value}` : here);
  });

  await list.ready;
  return h(
    'div',
    { class: 'generations' },
    canStart
      ? h('div', { class: 'card' }, h('h2', {}, 'New generation'), start)
      : h('p', { class: 'muted' }, 'Viewers follow generations; owners and editors start them.'),
    h('div', { class: 'toolbar' }, filter),
    list.el,
  );
}

function generationRow(ctx, project, generation) {
  return h(
    'li',
    { class: 'row', 'data-generation': generation.id },
    link(ctx, path('projects', project.id, 'generations', generation.id), shortId(generation.id)),
    statusBadge(generation.status),
    h('span', { class: 'badge' }, generation.kind),
    h('span', { class: 'clip' }, generation.prompt),
    h('span', { class: 'muted right' }, time(generation.queued_at)),
  );
}

/** A generation's status as a badge, coloured by how it stands. */
export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, status);
}
