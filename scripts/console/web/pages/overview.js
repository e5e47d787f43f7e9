/** A project's details: rename it, describe it, delete it. */
import { field, h, shortId, time } from '../lib/dom.js';
import { path } from '../lib/router.js';
import { form } from '../lib/ui.js';

export async function overviewTab(ctx, project) {
  const id = encodeURIComponent(project.id);
  const canEdit = project.role === 'owner' || project.role === 'editor';

  const details = h(
    'dl',
    { class: 'details' },
    h('dt', {}, 'Id'),
    h('dd', {}, h('code', {}, project.id)),
    h('dt', {}, 'Owner'),
    h('dd', {}, shortId(project.owner_id)),
    h('dt', {}, 'Description'),
    h('dd', {}, project.description || h('span', { class: 'muted' }, 'none')),
    h('dt', {}, 'Created'),
    h('dd', {}, time(project.created_at)),
    h('dt', {}, 'Updated'),
    h('dd', {}, time(project.updated_at)),
  );

  // Viewers may try too: the API (and RLS under it) decides, and says why not.
  const edit = form(
    ctx,
    { 'aria-label': 'Edit project' },
    [
      field(
        'Name',
        h('input', { name: 'name', required: true, maxlength: 120, value: project.name }),
      ),
      field(
        'Description',
        h('textarea', { name: 'description', maxlength: 2000, rows: 3 }, project.description ?? ''),
      ),
    ],
    'Save',
    async ({ name, description }) => {
      await ctx.api.call('api', `/projects/${id}`, {
        method: 'PUT',
        body: { name, description: description || null },
      });
      ctx.router.refresh();
    },
  );

  const remove = form(
    ctx,
    { class: 'danger-zone', 'aria-label': 'Delete project' },
    [
      h('p', {}, 'Deleting removes its members, generations and history for good.'),
      field('Type the project’s name to confirm', h('input', { name: 'confirm', required: true })),
    ],
    'Delete project',
    async ({ confirm }) => {
      if (confirm !== project.name) throw new Error('The name does not match.');
      await ctx.api.call('api', `/projects/${id}`, { method: 'DELETE' });
      ctx.router.go(path('projects'));
    },
  );
  remove.querySelector('button[type=submit]').classList.add('danger');

  return h(
    'div',
    { class: 'overview' },
    details,
    h('div', { class: 'card' }, h('h2', {}, 'Edit'), canEdit ? null : viewerNote(), edit),
    project.role === 'owner' || project.role === null
      ? h('div', { class: 'card' }, h('h2', {}, 'Delete'), remove)
      : null,
  );
}

const viewerNote = () =>
  h('p', { class: 'muted' }, 'You are a viewer: the API will refuse changes.');
