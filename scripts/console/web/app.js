/**
 * The console's start: reads its config, builds the supabase-js client, and renders the
 * route of the current location inside the shell. Pages are listed in `routes.js`.
 */
import { createApi } from './lib/api.js';
import { createAuth } from './lib/auth.js';
import { h, replace } from './lib/dom.js';
import { createRouter } from './lib/router.js';
import { errorView, link } from './lib/ui.js';
import { nav, routes } from './routes.js';

const root = document.getElementById('app');
const config = await (await fetch('/console/config.json', { credentials: 'omit' })).json();
const base = config.base_path;

// The API is this page's own origin: the local gateway serves both.
const supabase = window.supabase.createClient(location.origin, config.anon_key, {
  auth: {
    persistSession: true, // localStorage, supabase-js's own storage
    autoRefreshToken: true,
    detectSessionInUrl: true, // mailed sign-up and magic links land here with a session
    flowType: 'implicit',
  },
});
const api = createApi(supabase, location.origin, config.anon_key);
const auth = createAuth({ supabase, api, redirectTo: `${location.origin}${base}/` });
const router = createRouter(base, routes, show);

const leaving = [];
let generation = 0;

/** Runs what the previous page asked to run when it is left (unsubscribe, stop timers). */
function leave() {
  for (const fn of leaving.splice(0)) {
    try {
      fn();
    } catch (err) {
      console.error(err);
    }
  }
}

/**
 * What the app does itself with an error, whatever page met it: a step-up goes to the
 * second factor and comes back; an ended session goes to sign-in. True when handled.
 */
function handle(err) {
  if (err?.stepUp) {
    const { path } = router.current();
    const here = path.startsWith('/mfa') ? '/' : path + location.search;
    router.go(`/mfa?next=${encodeURIComponent(here)}`);
    return true;
  }
  if (err?.status === 401 && err.signedIn) {
    const here = router.current().path;
    supabase.auth
      .signOut({ scope: 'local' })
      .finally(() => router.go(`/sign-in?next=${encodeURIComponent(here)}`));
    return true;
  }
  return false;
}

async function show({ route, params, path, search }) {
  const mine = ++generation;
  leave();
  const { data } = await supabase.auth.getSession();
  const session = data.session;
  if (mine !== generation) return;

  if (route?.redirect) return router.go(route.redirect, { replace: true });
  if (!session && !route?.public) {
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
    return router.go(`/sign-in${next}`, { replace: true });
  }
  if (session && route?.public) return router.go(safeNext(search.get('next')), { replace: true });

  const main = h('main', { id: 'main' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, session ? shell(session, path, main) : main);
  if (!route) return replace(main, h('h1', {}, 'Not found'), link(ctx({}, search), '/', 'Home'));
  try {
    const node = await route.page(ctx(params, search, mine));
    if (mine === generation) replace(main, node);
  } catch (err) {
    if (mine === generation && !handle(err)) replace(main, errorView(err));
  }
}

/** What a page is given: the clients, its params, and the app's helpers. */
function ctx(params, search, mine = generation) {
  return {
    params,
    search,
    api,
    auth,
    supabase,
    router,
    handle,
    /**
     * Registers `fn` to run when the reader leaves this page; at once if they already
     * have (a subscription made while a slow page loaded must not outlive it).
     */
    onLeave: (fn) => (mine === generation ? leaving.push(fn) : fn()),
    /** The signed-in user (id, email) as supabase-js holds it. */
    user: async () => (await supabase.auth.getSession()).data.session?.user ?? null,
  };
}

function shell(session, path, main) {
  const c = ctx({}, new URLSearchParams());
  const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    await auth.signOut().catch(() => {});
    router.go('/sign-in');
  });
  return h(
    'div',
    { class: 'shell' },
    h(
      'header',
      {},
      link(c, '/', h('span', { class: 'brand' }, 'Console')),
      h('span', { class: 'who', 'data-testid': 'who' }, session.user.email ?? session.user.id),
      signOut,
    ),
    h(
      'nav',
      { 'aria-label': 'Main' },
      nav.map((item) => {
        const a = link(c, item.path, item.label);
        a.classList.add('nav-link');
        if (path === item.path || path.startsWith(`${item.path}/`)) a.ariaCurrent = 'page';
        return a;
      }),
    ),
    main,
  );
}

/** Only paths of the console itself, never another site. */
function safeNext(next) {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/projects';
}

// Signing in or out (here, in another tab, or when a refresh fails) shows the page again
// as the new user or as nobody: the sign-in page then moves on to where it was asked to go.
// Deferred, as supabase-js asks of listeners that call it back.
let knownUser;
supabase.auth.onAuthStateChange((_event, session) => {
  const id = session?.user.id ?? null;
  if (knownUser !== undefined && id !== knownUser) setTimeout(() => router.refresh(), 0);
  knownUser = id;
});

router.start();
