/**
 * The step-up screen: the API answered 403 `insufficient_aal`, so the session must be
 * verified with a second factor (enrolling one first if there is none), then the reader
 * goes back to where they were.
 */
import { h } from '../lib/dom.js';
import { enrolView, verifyForm } from '../lib/totp.js';

export async function mfaPage(ctx) {
  const next = ctx.search.get('next');
  const back = () => ctx.router.go(next?.startsWith('/') && !next.startsWith('//') ? next : '/');
  const factors = (await ctx.auth.mfa.factors()).filter(
    (f) => f.status === 'verified' && f.factor_type === 'totp',
  );
  return h(
    'section',
    { class: 'mfa' },
    h('h1', {}, 'Second factor'),
    factors.length > 0
      ? [
          h('p', {}, 'This needs a session verified with your authenticator app.'),
          factors.map((factor) => h('div', { class: 'card' }, verifyForm(ctx, factor, back))),
        ]
      : [
          h('p', {}, 'This needs a second factor, and you have none yet. Set one up now:'),
          h('div', { class: 'card' }, enrolView(ctx, back)),
        ],
  );
}
