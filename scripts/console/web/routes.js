/**
 * Every page of the console, in one place. A page is `async (ctx) => Node` (see app.js
 * for `ctx`); a page inside a project is a tab, `async (ctx, project) => Node`.
 *
 * To add a page: write it in `pages/`, then list it here: in `nav` and `routes` for a
 * page of its own, or in `projectTabs` for a tab of a project (a tab with `soon` and no
 * `render` shows only "Coming with the <soon> API"). A tab's `children` are pages under it
 * (`/projects/:id/<key>/<path>`), shown in the project's frame with the tab selected.
 */
import { analyticsTab } from './pages/analytics.js';
import { clientPage } from './pages/client.js';
import { clientsTab, inboxTab } from './pages/clients.js';
import { generationPage } from './pages/generation.js';
import { generationsTab } from './pages/generations.js';
import { historyTab } from './pages/history.js';
import { membersTab } from './pages/members.js';
import { mfaPage } from './pages/mfa.js';
import { overviewTab } from './pages/overview.js';
import { projectPage } from './pages/project.js';
import { projectsPage } from './pages/projects.js';
import { securityPage } from './pages/security.js';
import { signInPage } from './pages/sign-in.js';
import { whatsappTab } from './pages/whatsapp.js';

/** The main navigation of a signed-in reader. */
export const nav = [
  { label: 'Projects', path: '/projects' },
  { label: 'Security', path: '/security' },
];

/** A project's tabs, in the order shown; `key` is the path segment after the project. */
export const projectTabs = [
  { key: '', label: 'Overview', render: overviewTab },
  { key: 'members', label: 'Members', render: membersTab },
  { key: 'history', label: 'History', render: historyTab },
  {
    key: 'generations',
    label: 'Generations',
    render: generationsTab,
    children: [{ path: ':generationId', render: generationPage }],
  },
  { key: 'inbox', label: 'Inbox', render: inboxTab },
  {
    key: 'clients',
    label: 'Clients',
    render: clientsTab,
    children: [{ path: ':clientId', render: clientPage }],
  },
  { key: 'analytics', label: 'Analytics', render: analyticsTab },
  { key: 'whatsapp', label: 'WhatsApp', render: whatsappTab },
];

/**
 * `public` pages are for signed-out readers only (a signed-in one moves on to `?next=`);
 * every other page needs a session. `redirect` sends a path elsewhere.
 */
export const routes = [
  { path: '/', redirect: '/projects' },
  { path: '/sign-in', page: signInPage, public: true },
  { path: '/projects', page: projectsPage },
  { path: '/security', page: securityPage },
  { path: '/mfa', page: mfaPage },
  ...projectTabs.flatMap((tab) => [
    {
      path: tab.key ? `/projects/:id/${tab.key}` : '/projects/:id',
      page: projectPage(tab, projectTabs),
    },
    ...(tab.children ?? []).map((child) => ({
      path: `/projects/:id/${tab.key}/${child.path}`,
      page: projectPage({ ...tab, render: child.render }, projectTabs),
    })),
  ]),
];
