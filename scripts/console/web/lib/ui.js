/** The pieces every page uses: error messages, busy buttons, paged lists, links. */
import { ApiError } from './api.js';
import { append, formValues, h, replace } from './dom.js';

/** An error as the reader should see it: the problem's detail, its field errors, its id. */
export function errorView(err) {
  if (!(err instanceof ApiError)) {
    return h('div', { class: 'error', role: 'alert' }, err?.message || String(err));
  }
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-code': err.code ?? '' },
    h('strong', {}, err.title || `Error ${err.status}`),
    err.detail && err.detail !== err.title ? ` ${err.detail}` : '',
    err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '',
    err.errors.length > 0 &&
      h(
        'ul',
        {},
        err.errors.map((e) => h('li', {}, h('code', {}, e.path ?? ''), ' ', e.message ?? '')),
      ),
    err.requestId && h('small', { class: 'request-id' }, `request ${err.requestId}`),
  );
}

/**
 * Runs `fn` with `control` (a button or a form's buttons) disabled; shows its error in
 * `status` unless the app took care of it (a step-up, an ended session).
 */
export async function run(ctx, control, status, fn) {
  const buttons =
    control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  for (const b of buttons) b.disabled = true;
  status?.replaceChildren();
  try {
    return await fn();
  } catch (err) {
    if (!ctx.handle(err)) {
      if (status) replace(status, errorView(err));
      else throw err;
    }
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

/**
 * A form whose submit runs `fn(values, form)`; its errors show under it.
 *
 * @example
 * form(ctx, { class: 'inline' }, [field('Name', h('input', { name: 'name' }))], 'Create',
 *   async ({ name }) => { … })
 */
export function form(ctx, props, fields, submitLabel, fn) {
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const el = h(
    'form',
    props,
    fields,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, submitLabel)),
    status,
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    run(ctx, el, status, () => fn(formValues(el), el, status));
  });
  return el;
}

/** A button that runs `fn`, with its errors shown in `status`. */
export function button(ctx, props, label, status, fn) {
  const el = h('button', { type: 'button', ...props }, label);
  el.addEventListener('click', () => run(ctx, el, status, fn));
  return el;
}

/** A link to a console path that navigates without reloading the page. */
export function link(ctx, path, ...children) {
  const el = h('a', { href: ctx.router.href(path) }, children);
  el.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    ctx.router.go(path);
  });
  return el;
}

/**
 * A list endpoint shown page by page (the list convention's `next_cursor`), with "Load
 * more" while there is more. `ready` settles with the first page, so a page can await it
 * and let its errors (a step-up, say) reach the app.
 *
 * @example
 * const list = pagedList(ctx, {
 *   load: (cursor) => ctx.api.list('api', '/projects', { cursor }),
 *   item: (project) => h('li', {}, project.name),
 *   empty: 'No projects yet',
 * });
 * await list.ready;
 */
export function pagedList(ctx, { load, item, empty, label }) {
  const items = h('ul', { class: 'list', 'aria-label': label ?? null });
  const status = h('div', { class: 'status' });
  const more = h('button', { type: 'button', class: 'secondary more', hidden: true }, 'Load more');
  let cursor = null;

  async function next(reset) {
    const page = await load(reset ? undefined : (cursor ?? undefined));
    if (reset) items.replaceChildren();
    append(items, page.data.map(item));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (items.children.length === 0) replace(status, h('p', { class: 'muted empty' }, empty));
    else status.replaceChildren();
  }
  more.addEventListener('click', () => run(ctx, more, status, () => next(false)));

  return {
    el: h('div', { class: 'paged' }, items, status, more),
    ready: next(true),
    /** Loads the first page again (after a change). */
    reload: () => next(true),
  };
}
