/** Your second factors: which you have, add one, remove one. */
import { h, time } from '../lib/dom.js';
import { enrolView } from '../lib/totp.js';
import { button } from '../lib/ui.js';

export async function securityPage(ctx) {
  const factors = await ctx.auth.mfa.factors();
  const { data: aal } = await ctx.supabase.auth.mfa.getAuthenticatorAssuranceLevel();
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const refresh = () => ctx.router.refresh();

  const rows = factors.map((factor) =>
    h(
      'li',
      { class: 'row', 'data-factor': factor.id },
      h('strong', {}, factor.friendly_name ?? factor.factor_type),
      h('span', { class: `badge ${factor.status}` }, factor.status),
      h('span', { class: 'muted' }, 'added ', time(factor.created_at)),
      h(
        'span',
        { class: 'right' },
        button(ctx, { class: 'danger' }, 'Remove', status, async () => {
          await ctx.auth.mfa.remove(factor.id);
          refresh();
        }),
      ),
    ),
  );

  return h(
    'section',
    { class: 'security' },
    h('h1', {}, 'Security'),
    h(
      'p',
      {},
      'This session is at ',
      h('strong', { 'data-testid': 'aal' }, aal?.currentLevel ?? 'unknown'),
      aal?.currentLevel === 'aal2' ? ' (verified with a second factor).' : '.',
    ),
    h('h2', {}, 'Authenticator apps'),
    status,
    rows.length
      ? h('ul', { class: 'list', 'aria-label': 'Factors' }, rows)
      : h('p', { class: 'muted empty' }, 'No second factor yet.'),
    h('div', { class: 'card' }, h('h2', {}, 'Add one'), enrolView(ctx, refresh)),
  );
}
