import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_HEADER,
  signatureHeader,
  signedWebhookInit,
  verifySignature,
} from '../../../shared/whatsapp/signature.ts';

const SECRET = 'app-secret-for-tests';
const BODY = '{"object":"whatsapp_business_account","entry":[]}';

describe('X-Hub-Signature-256', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw bytes, as Meta computes it', async () => {
    const expected = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(await signatureHeader(SECRET, BODY)).toBe(`sha256=${expected}`);
    const bytes = new TextEncoder().encode(BODY);
    expect(await signatureHeader(SECRET, bytes)).toBe(`sha256=${expected}`);
    expect(await signatureHeader(SECRET, bytes.buffer)).toBe(`sha256=${expected}`);
  });

  it('signs only the bytes of a view, not the whole buffer behind it', async () => {
    const padded = new TextEncoder().encode(`xx${BODY}yy`);
    const view = padded.subarray(2, 2 + BODY.length);
    expect(await signatureHeader(SECRET, view)).toBe(await signatureHeader(SECRET, BODY));
  });

  it('verifies a genuine signature, in upper case too', async () => {
    const header = await signatureHeader(SECRET, BODY);
    expect(await verifySignature(SECRET, BODY, header)).toBe(true);
    expect(await verifySignature(SECRET, BODY, `sha256=${header.slice(7).toUpperCase()}`)).toBe(
      true,
    );
  });

  it('refuses a body altered by one byte, another secret, and a missing or malformed header', async () => {
    const header = await signatureHeader(SECRET, BODY);
    const altered = BODY.replace('[]', '[ ]');
    expect(await verifySignature(SECRET, altered, header)).toBe(false);
    expect(await verifySignature('another-secret', BODY, header)).toBe(false);
    for (const bad of [
      null,
      undefined,
      '',
      'sha256=',
      'sha1=abc',
      header.slice(0, -2),
      `${header}00`,
    ]) {
      expect(await verifySignature(SECRET, BODY, bad)).toBe(false);
    }
    const flipped = `${header.slice(0, -1)}${header.endsWith('0') ? '1' : '0'}`;
    expect(await verifySignature(SECRET, BODY, flipped)).toBe(false);
  });

  it('refuses to sign or verify with an empty secret', async () => {
    await expect(signatureHeader('', BODY)).rejects.toThrow(/empty/);
    await expect(verifySignature('', BODY, 'sha256=00')).rejects.toThrow(/empty/);
  });

  it('builds a signed JSON POST for a webhook', async () => {
    const init = await signedWebhookInit(SECRET, BODY);
    const headers = new Headers(init.headers);
    expect(init.method).toBe('POST');
    expect(init.body).toBe(BODY);
    expect(headers.get('content-type')).toBe('application/json');
    expect(await verifySignature(SECRET, BODY, headers.get(SIGNATURE_HEADER))).toBe(true);
  });
});
