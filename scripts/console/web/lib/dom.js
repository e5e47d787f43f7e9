/**
 * Building the page. Every string becomes a text node or an attribute value, never markup:
 * nothing the API returns is ever parsed as HTML, so there is nothing to escape by hand.
 */

/** URL attributes take a path of this site, `https:`/`http:`, or a `data:image/` picture. */
const SAFE_URL = /^(?:\/(?!\/)|https?:|data:image\/(?:png|svg\+xml|jpeg|gif);)/i;
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction']);

/**
 * An element with properties and children. `on<event>` props are listeners, `class` is the
 * class name, booleans toggle attributes, `value`/`checked` set the live property; children
 * are nodes, strings (as text), arrays, or null/false (skipped).
 *
 * @example
 * h('button', { class: 'danger', onclick: remove }, 'Remove ', name)
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked') {
      el[key] = value;
    } else if (URL_ATTRIBUTES.has(key) && !SAFE_URL.test(String(value))) {
      throw new Error(`Refusing a ${key} that is not a safe URL`);
    } else {
      el.setAttribute(key === 'class' ? 'class' : key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children as `h` takes them. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces everything inside `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint && h('small', {}, hint));
}

/** The values of a form's named fields, trimmed where they are text. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    values[name] = typeof value === 'string' ? value.trim() : value;
  }
  return values;
}

/** A date as the reader's locale writes it; the ISO string on hover. */
export function time(iso) {
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

/** The first eight characters of an id, with the whole id on hover. */
export function shortId(id) {
  return h('code', { title: id }, String(id).slice(0, 8));
}
