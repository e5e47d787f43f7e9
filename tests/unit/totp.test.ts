import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  newTotpSecret,
  otpauthUri,
  totp,
  verifyTotp,
} from '../../scripts/emulators/auth/mfa/totp.ts';

// RFC 6238 appendix B, SHA-1 rows: the shared secret is the ASCII string "12345678901234567890".
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('base32', () => {
  it('encodes the RFC secret as authenticator apps expect', () => {
    expect(RFC_SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('round-trips, ignoring case, spaces and padding', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const text = base32Encode(bytes);
    expect(base32Decode(text)).toEqual(bytes);
    expect(base32Decode(`${text.toLowerCase().replace(/(.{4})/g, '$1 ')}===`)).toEqual(bytes);
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('makes 20-byte secrets', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(secret);
  });
});

describe('totp (RFC 6238, SHA-1)', () => {
  it.each(RFC_VECTORS)('at %i s gives %s with 8 digits', (time, code) => {
    expect(totp(RFC_SECRET, time, 8)).toBe(code);
  });

  it.each(RFC_VECTORS)('at %i s gives the last 6 digits of %s by default', (time, code) => {
    expect(totp(RFC_SECRET, time)).toBe(code.slice(-6));
  });

  it('accepts the previous, current and next step, and nothing further', () => {
    const now = 1_700_000_015;
    expect(verifyTotp(RFC_SECRET, totp(RFC_SECRET, now), now)).toBe(true);
    expect(verifyTotp(RFC_SECRET, totp(RFC_SECRET, now - 30), now)).toBe(true);
    expect(verifyTotp(RFC_SECRET, totp(RFC_SECRET, now + 30), now)).toBe(true);
    expect(verifyTotp(RFC_SECRET, totp(RFC_SECRET, now - 60), now)).toBe(false);
    expect(verifyTotp(RFC_SECRET, totp(RFC_SECRET, now + 60), now)).toBe(false);
  });

  it('rejects malformed codes', () => {
    const now = 1_700_000_015;
    const code = totp(RFC_SECRET, now);
    for (const bad of ['', '12345', `${code}0`, 'abcdef', ` ${code.slice(1)}`]) {
      expect(verifyTotp(RFC_SECRET, bad, now)).toBe(false);
    }
  });
});

describe('otpauthUri', () => {
  it('builds the key URI pquerna/otp does', () => {
    expect(otpauthUri('ABC', '127.0.0.1:3000', 'ada@example.com')).toBe(
      'otpauth://totp/127.0.0.1:3000:ada@example.com?algorithm=SHA1&digits=6&issuer=127.0.0.1%3A3000&period=30&secret=ABC',
    );
    expect(otpauthUri('ABC', 'My App', 'a b@x.io')).toBe(
      'otpauth://totp/My%20App:a%20b@x.io?algorithm=SHA1&digits=6&issuer=My%20App&period=30&secret=ABC',
    );
  });
});
