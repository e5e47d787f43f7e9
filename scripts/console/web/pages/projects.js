/** Your projects, page by page, with a name filter, and a form to create one. */
import { field, h, time } from '../lib/dom.js';
import { path } from '../lib/router.js';
import { form, link, pagedList } from '../lib/ui.js';

export async function projectsPage(ctx) {
  const q = ctx.search.get('q') ?? '';
  const list = pagedList(ctx, {
    label: 'Projects',
    load: (cursor) => ctx.api.list('api', '/projects', { cursor, q, limit: 20 }),
    item: (project) =>
      h(
        'li',
        { class: 'row', 'data-project': project.id },
        link(ctx, path('projects', project.id), h('strong', {}, project.name)),
        h('span', { class: `badge ${project.role ?? 'admin'}` }, project.role ?? 'admin view'),
        project.description && h('span', { class: 'muted clip' }, project.description),
        h('span', { class: 'muted right' }, 'updated ', time(project.updated_at)),
      ),
    empty: q ? 'No project matches.' : 'No projects yet: create the first one.',
  });

  const create = form(
    ctx,
    { class: 'inline', 'aria-label': 'New project' },
    [
      field('Name', h('input', { name: 'name', required: true, maxlength: 120 })),
      field('Description', h('input', { name: 'description', maxlength: 2000 })),
    ],
    'Create project',
    async ({ name, description }) => {
      const project = await ctx.api.call('api', '/projects', {
        method: 'POST',
        body: description ? { name, description } : { name },
      });
      ctx.router.go(path('projects', project.id));
    },
  );

  const search = h(
    'form',
    { role: 'search', class: 'inline' },
    h('input', {
      name: 'q',
      type: 'search',
      value: q,
      placeholder: 'Filter by name',
      'aria-label': 'Filter by name',
    }),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'),
  );
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = search.elements.namedItem('q').value.trim();
    ctx.router.go(value ? `/projects?q=${encodeURIComponent(value)}` : '/projects');
  });

  await list.ready;
  return h(
    'section',
    {},
    h('h1', {}, 'Projects'),
    h('div', { class: 'card' }, h('h2', {}, 'New project'), create),
    search,
    list.el,
  );
}
