/** Sign in, create an account, or ask for a sign-in link. */
import { field, h, replace } from '../lib/dom.js';
import { button, form } from '../lib/ui.js';

/** Once signed in, the app moves on by itself (it listens to supabase-js's auth events). */
export async function signInPage(ctx) {
  const email = () => h('input', { name: 'email', type: 'email', required: true });
  const password = (autocomplete) =>
    h('input', { name: 'password', type: 'password', required: true, autocomplete });

  const signIn = form(
    ctx,
    { 'aria-label': 'Sign in' },
    [field('Email', email()), field('Password', password('current-password'))],
    'Sign in',
    ({ email, password }) => ctx.auth.signIn(email, password),
  );
  const linkStatus = h('div', { class: 'status', 'aria-live': 'polite' });
  const magic = button(
    ctx,
    { class: 'link' },
    'Email me a sign-in link instead',
    linkStatus,
    async () => {
      const address = signIn.elements.namedItem('email').value.trim();
      if (!signIn.elements.namedItem('email').reportValidity()) return;
      await ctx.auth.magicLink(address);
      replace(linkStatus, sent('If that address has an account, a sign-in link is on its way.'));
    },
  );

  const signUp = form(
    ctx,
    { 'aria-label': 'Create an account' },
    [
      field('Email', email()),
      field('Password', password('new-password'), 'At least 8 characters, not a common one.'),
    ],
    'Create account',
    async ({ email, password }, el, status) => {
      const { confirmationRequired } = await ctx.auth.signUp(email, password);
      if (confirmationRequired) {
        el.reset();
        replace(status, sent('Open the confirmation link we mailed you; it signs you in here.'));
      }
    },
  );

  return h(
    'section',
    { class: 'sign-in' },
    h('h1', {}, 'Console'),
    h('p', { class: 'muted' }, 'See the system work: projects, members and their history.'),
    h(
      'div',
      { class: 'cards' },
      h('article', { class: 'card' }, h('h2', {}, 'Sign in'), signIn, magic, linkStatus),
      h('article', { class: 'card' }, h('h2', {}, 'New here?'), signUp),
    ),
  );
}

/** Locally, mail lands in the stack's mailbox rather than anyone's inbox. */
function sent(text) {
  return h(
    'p',
    { class: 'notice', role: 'status' },
    text,
    ' Locally, mail lands in the ',
    h('a', { href: '/mailbox', target: '_blank', rel: 'noopener' }, 'mailbox'),
    '.',
  );
}
