/** Who a project is shared with: add by email, change roles, remove, hand over ownership. */
import { field, h, shortId, time } from '../lib/dom.js';
import { button, form, pagedList, run } from '../lib/ui.js';

const ROLES = ['editor', 'viewer'];

export async function membersTab(ctx, project) {
  const base = `/projects/${encodeURIComponent(project.id)}/members`;
  const me = (await ctx.user())?.id;
  // The owner and administrators manage members; the API checks again either way.
  const manages = project.role === 'owner' || project.role === null;
  const status = h('div', { class: 'status', 'aria-live': 'polite' });

  const list = pagedList(ctx, {
    label: 'Members',
    load: (cursor) => ctx.api.list('api', base, { cursor, limit: 50 }),
    item: (member) => memberRow(member),
    empty: 'No members.',
  });

  function memberRow(member) {
    const at = `${base}/${encodeURIComponent(member.user_id)}`;
    const owner = member.role === 'owner';
    const self = member.user_id === me;
    const controls = [];
    if (manages && !owner) {
      const select = h(
        'select',
        { 'aria-label': 'Role', name: 'role' },
        ROLES.map((r) => h('option', { value: r, selected: r === member.role }, r)),
      );
      select.addEventListener('change', () =>
        run(ctx, select, status, async () => {
          await ctx.api.call('api', at, { method: 'PATCH', body: { role: select.value } });
          await list.reload();
        }),
      );
      controls.push(
        select,
        button(ctx, { class: 'secondary' }, 'Make owner', status, async () => {
          await ctx.api.call('api', `/projects/${encodeURIComponent(project.id)}/transfer`, {
            method: 'POST',
            body: { user_id: member.user_id },
          });
          ctx.router.refresh();
        }),
      );
    }
    if (!owner && (manages || self)) {
      controls.push(
        button(ctx, { class: 'danger' }, self ? 'Leave' : 'Remove', status, async () => {
          await ctx.api.call('api', at, { method: 'DELETE' });
          if (self && !manages) ctx.router.go('/projects');
          else await list.reload();
        }),
      );
    }
    return h(
      'li',
      { class: 'row', 'data-member': member.user_id },
      shortId(member.user_id),
      self ? h('span', { class: 'muted' }, '(you)') : null,
      h('span', { class: `badge ${member.role}`, 'data-role': member.role }, member.role),
      h('span', { class: 'muted' }, 'since ', time(member.created_at)),
      h('span', { class: 'right controls' }, controls),
    );
  }

  const add = form(
    ctx,
    { class: 'inline', 'aria-label': 'Share project' },
    [
      field('Email', h('input', { name: 'email', type: 'email', required: true })),
      field(
        'Role',
        h(
          'select',
          { name: 'role' },
          ROLES.map((r) => h('option', { value: r }, r)),
        ),
      ),
    ],
    'Share',
    async ({ email, role }, el) => {
      await ctx.api.call('api', base, { method: 'POST', body: { email, role } });
      el.reset();
      await list.reload();
    },
  );

  await list.ready;
  return h(
    'div',
    { class: 'members' },
    manages ? h('div', { class: 'card' }, h('h2', {}, 'Share'), add) : null,
    status,
    list.el,
    h(
      'p',
      { class: 'muted small' },
      'Members show by user id: the API does not return other users’ email addresses.',
    ),
  );
}
