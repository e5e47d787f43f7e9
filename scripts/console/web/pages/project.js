/**
 * The frame of every page inside a project: its name, your role, and its tabs. A tab's
 * body is `render(ctx, project)`; a tab whose API does not exist yet says so and shows
 * nothing else.
 */
import { h } from '../lib/dom.js';
import { path } from '../lib/router.js';
import { link } from '../lib/ui.js';

/**
 * A page for one tab of `tabs` (see routes.js); `ctx.project` is the project as
 * `GET /projects/{id}` returns it.
 */
export function projectPage(tab, tabs) {
  return async (ctx) => {
    const project = await ctx.api.call('api', `/projects/${encodeURIComponent(ctx.params.id)}`);
    const body = tab.render ? await tab.render({ ...ctx, project }, project) : comingSoon(tab);
    return h(
      'section',
      { class: 'project', 'data-project': project.id },
      h('p', { class: 'crumbs' }, link(ctx, '/projects', 'Projects'), ' / '),
      h(
        'h1',
        {},
        h('span', { 'data-testid': 'project-name' }, project.name),
        ' ',
        h('span', { class: `badge ${project.role ?? 'admin'}` }, project.role ?? 'admin view'),
      ),
      h(
        'nav',
        { class: 'tabs', 'aria-label': 'Project' },
        tabs.map((t) => {
          const a = link(ctx, tabPath(project.id, t), t.label);
          a.classList.add('nav-link');
          if (t.key === tab.key) a.ariaCurrent = 'page';
          if (!t.render) a.classList.add('soon');
          return a;
        }),
      ),
      h('div', { class: 'tab-body' }, body),
    );
  };
}

/** The console path of a project's tab. */
export function tabPath(projectId, tab) {
  return tab.key ? path('projects', projectId, tab.key) : path('projects', projectId);
}

function comingSoon(tab) {
  return h(
    'div',
    { class: 'soon-state', role: 'status' },
    h('h2', {}, tab.label),
    h('p', {}, `Coming with the ${tab.soon} API.`),
  );
}
