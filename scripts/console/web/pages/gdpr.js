/**
 * A client's personal data, as GDPR asks: everything held about them as one JSON file (owners
 * and editors), and erasing it all (the owner). Viewers see neither.
 */
import { h } from '../lib/dom.js';
import { path } from '../lib/router.js';
import { button } from '../lib/ui.js';

export function gdprPanel(ctx, project, client, at) {
  if (project.role !== 'owner' && project.role !== 'editor') return null;
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const exportButton = button(ctx, {}, 'Export data', status, async () => {
    const data = await ctx.api.call('api', `${at}/export`);
    save(`client-${client.id}.json`, JSON.stringify(data, null, 2));
  });
  const eraseButton =
    project.role === 'owner' &&
    button(ctx, { class: 'danger' }, 'Erase client', status, async () => {
      const sure = window.confirm(
        `Erase ${client.name} and everything held about them: messages, documents and files? ` +
          'This cannot be undone.',
      );
      if (!sure) return;
      await ctx.api.call('api', `${at}/erase`, { method: 'POST', body: { confirm: true } });
      ctx.router.go(path('projects', project.id, 'clients'));
    });
  return h(
    'section',
    { class: 'card', 'aria-label': 'Personal data' },
    h('h2', {}, 'Personal data'),
    h(
      'p',
      { class: 'muted' },
      'Every read of this client’s data is logged. The export holds the profile, the timeline, ' +
        'the documents (with links valid 60 seconds) and that log.',
    ),
    h('div', { class: 'actions' }, exportButton, eraseButton),
    status,
  );
}

/** Hands `text` to the browser as a download named `name`. */
function save(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  // Not through h(), which takes no blob: URL: this one holds the text made here.
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by the next task; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url));
}
