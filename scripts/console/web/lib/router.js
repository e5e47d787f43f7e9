/**
 * Path routing under the console's base path (`/console/projects/<id>/members`), with the
 * History API. Routes are `{ path, page }`; a path's `:name` segments become `params`.
 */

/** Compiles `/projects/:id` into a matcher. */
function compile(path) {
  const names = [];
  const source = path
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const pattern = new RegExp(`^${source}/?$`);
  return (pathname) => {
    const m = pattern.exec(pathname);
    if (!m) return null;
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(m[i + 1])]));
  };
}

/**
 * A router over `routes`; `onChange({ route, params, path })` runs on every navigation
 * (route is undefined when nothing matches).
 *
 * @example
 * const router = createRouter('/console', routes, render);
 * router.start();
 * router.go('/projects');
 */
export function createRouter(base, routes, onChange) {
  const compiled = routes.map((route) => ({ route, match: compile(route.path) }));

  const current = () => {
    const full = window.location.pathname;
    const path = full.startsWith(base) ? full.slice(base.length) || '/' : '/';
    for (const { route, match } of compiled) {
      const params = match(path);
      if (params) return { route, params, path, search: new URLSearchParams(location.search) };
    }
    return { route: undefined, params: {}, path, search: new URLSearchParams(location.search) };
  };

  const render = () => onChange(current());

  return {
    start() {
      window.addEventListener('popstate', render);
      render();
    },
    /** Navigates to a path of the console (without the base), adding a history entry. */
    go(path, { replace = false } = {}) {
      const url = base + path;
      if (replace) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
      render();
    },
    /** Renders the current location again (after signing in, say). */
    refresh: render,
    /** The full href of a console path. */
    href: (path) => base + path,
    current,
  };
}

/** Builds a console path from segments, encoding each: `path('projects', id, 'members')`. */
export function path(...segments) {
  return `/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}
