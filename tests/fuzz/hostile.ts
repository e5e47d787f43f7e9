import fc from 'fast-check';
import { jsonValue } from './schema-arbitrary.ts';

/**
 * A string too big to print in a counterexample: `length` copies of `char`, built only when
 * the request is sent. Lengths reach past the default 1 MiB body limit.
 */
export class Big {
  readonly char: string;
  readonly length: number;
  constructor(char: string, length: number) {
    this.char = char;
    this.length = length;
  }
  toString(): string {
    return this.char.repeat(this.length);
  }
  /** How a counterexample shows it: `Big("\u0000" × 4810)`, not 4,810 invisible characters. */
  [fc.toStringMethod](): string {
    return `Big(${JSON.stringify(this.char)} × ${this.length})`;
  }
}

/** Any UTF-16 code unit: NUL, controls, lone surrogates, noncharacters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Strings that have broken servers: NUL, lone surrogates, injections, numbers in disguise. */
export const hostileString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udfff',
    '\ud83d',
    '\uffff',
    '\ufeff',
    '\u202eevil',
    '%00',
    '%',
    '../../etc/passwd',
    "' or '1'='1",
    '"; drop table public.projects; --',
    '<script>alert(1)</script>',
    '$' + '{7*7}',
    '\\',
    'null',
    'NaN',
    '-1',
    '1e309',
    '99999999999999999999999',
    'true',
    '__proto__',
    '👍🏽',
  ),
  fc.string({ unit: codeUnit, maxLength: 30 }),
  // Lengths at the limits that matter (the schemas' 120, 2,000, 64 KB and 100,000, the
  // 1 MiB body limit), or anywhere below a few thousand; megabytes are slow to send.
  fc
    .oneof(
      fc.constantFrom(121, 2_001, 65_537, 100_001, 1_048_577),
      fc.integer({ min: 200, max: 5_000 }),
    )
    .map((n) => new Big('x', n)),
  fc.integer({ min: 200, max: 5_000 }).map((n) => new Big('\u0000', n)),
);

/** A value of any type, usually not the one the schema wants. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(jsonValue, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 3 }),
  hostileString,
);

/** Percent-encodings no decoder should accept, or that decode to text no database should. */
export const rawUrlPiece = fc.constantFrom(
  '%00',
  'a%00b',
  '%FF',
  '%E0%A4%A',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C0%AF',
  '..',
  '%2e%2e',
  '%2F',
  '%252F',
  'a+b',
  '%2B',
  'x'.repeat(5000),
);

/** Content types a JSON route must refuse or survive. `undefined` sends none at all. */
export const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json; charset=latin1',
  'application/json ; x=y',
  'application/jsonx',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  '*/*',
);

/** JSON text JSON.stringify never writes: numbers past a double, escapes of bad text. */
export const jsonLiteral = fc.constantFrom(
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '-0',
  '1e-999',
  '"\\u0000"',
  '"\\ud800\\u0041"',
  '"\\udc00"',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
);

/** Bodies that are not the JSON they claim to be. */
export const rawBody: fc.Arbitrary<string | Uint8Array<ArrayBuffer>> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    '{"a":1,}',
    'null',
    '[]',
    '"string"',
    '1e999999',
    '{"a":1}{"b":2}',
    'a=1&b=2',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
    '<a>1</a>',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  ),
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: codeUnit, maxLength: 64 }),
  // UTF-16 and invalid UTF-8 around otherwise valid JSON.
  fc.constantFrom(
    new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  ),
);

/** Header values the middleware must treat as untrusted. */
export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'x-request-id': fc.constantFrom('a b"<script>', 'x'.repeat(500), '../../', 'ok-id-1', '%00'),
    'x-forwarded-for': fc.constantFrom('not-an-ip', '999.999.999.999', '::::::', '1.2.3.4, ::1'),
    cookie: fc.constantFrom('sb-access-token=garbage', 'sb-access-token=', 'a=b; c'),
  },
  { requiredKeys: [] },
);
