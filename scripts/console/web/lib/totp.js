/** The two steps of a TOTP factor: enrolling one (with its QR code), and answering it. */
import { field, h, replace } from './dom.js';
import { form } from './ui.js';

/**
 * The QR code as an image URL. The API passes on supabase-js's `data:image/svg+xml;utf-8,`
 * URL with the SVG unencoded, which a browser cuts at its first `#` (a colour); encoded
 * again, it shows. Only an SVG in an <img> (where it runs no script) is ever shown.
 */
function qrImageUrl(qr) {
  const comma = String(qr ?? '').indexOf(',');
  const header = comma < 0 ? '' : qr.slice(0, comma);
  if (!/^data:image\/svg\+xml(;|$)/.test(header)) return null;
  if (header.split(';').includes('base64')) return qr;
  let svg = qr.slice(comma + 1);
  try {
    svg = decodeURIComponent(svg);
  } catch {
    // Not encoded at all: taken as it is.
  }
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A code from an authenticator app: six digits. */
const codeInput = () =>
  h('input', {
    name: 'code',
    required: true,
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
  });

/**
 * Asks for a code of `factor` and verifies it; the session becomes aal2 and `done` runs.
 */
export function verifyForm(ctx, factor, done) {
  return form(
    ctx,
    { class: 'inline', 'aria-label': 'Second factor code' },
    [field(`Code from ${factor.friendly_name ?? 'your authenticator app'}`, codeInput())],
    'Verify',
    async ({ code }) => {
      await ctx.auth.mfa.verify(factor.id, code);
      await done();
    },
  );
}

/**
 * Enrols a new TOTP factor: a name, then its QR code and secret to put in an app, then
 * its first code, which activates it (and raises the session to aal2).
 */
export function enrolView(ctx, done) {
  const box = h('div', { class: 'enrol' });
  const start = form(
    ctx,
    { class: 'inline', 'aria-label': 'Add authenticator app' },
    [field('Name (optional)', h('input', { name: 'friendly_name', maxlength: 100 }))],
    'Set up authenticator app',
    async ({ friendly_name }) => {
      const factor = await ctx.auth.mfa.enroll(friendly_name || undefined);
      replace(box, scan(ctx, factor, done));
    },
  );
  return replace(box, start);
}

function scan(ctx, factor, done) {
  const qr = qrImageUrl(factor.totp.qr_code);
  return h(
    'div',
    { class: 'scan' },
    h('p', {}, 'Scan this with your authenticator app, or type the secret into it:'),
    qr
      ? h('img', {
          class: 'qr',
          src: qr,
          alt: 'QR code of the new factor',
          width: 180,
          height: 180,
        })
      : null,
    h('p', {}, 'Secret: ', h('code', { 'data-testid': 'totp-secret' }, factor.totp.secret)),
    h('p', {}, 'Then enter the code it shows:'),
    verifyForm(ctx, { ...factor, friendly_name: factor.friendly_name ?? 'the new factor' }, done),
  );
}
