import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTooDeep, findUnsafeValues } from '../../shared/http/input/json.ts';
import { fieldPath, unsafeTextReason } from '../../shared/http/input/text.ts';

describe('findTooDeep', () => {
  it('accepts nesting up to the limit and names the first level beyond it', () => {
    expect(findTooDeep('[[[1]]]', 3)).toBeUndefined();
    expect(findTooDeep('[[[[1]]]]', 3)).toEqual([0, 0, 0]);
    expect(findTooDeep('{"a":[1,{"b\\"c":{"d":{}}}]}', 3)).toEqual(['a', 1, 'b"c']);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{', b: '\\"[[[[', c: ['"]]]]'] });
    expect(findTooDeep(text, 2)).toBeUndefined();
  });

  it('tracks keys and indexes across siblings', () => {
    expect(findTooDeep('{"x":1,"y":[0,0,[[]]]}', 3)).toEqual(['y', 2, 0]);
  });

  it('scans a megabyte of brackets without recursion', () => {
    expect(findTooDeep('['.repeat(1_000_000))).toHaveLength(64);
  });
});

describe('findUnsafeValues', () => {
  it('finds NUL and lone surrogates in values and keys, with paths', () => {
    const value = JSON.parse('{"a":["ok","\\u0000"],"\\ud800":1,"b":{"c":"\\udc00x"}}');
    expect(findUnsafeValues(value)).toEqual(
      expect.arrayContaining([
        { path: 'body.a.1', message: expect.stringContaining('NUL') },
        { path: 'body.\ufffd', message: expect.stringContaining('Key') },
        { path: 'body.b.c', message: expect.stringContaining('surrogate') },
      ]),
    );
  });

  it('accepts well-formed text, surrogate pairs included', () => {
    expect(findUnsafeValues({ emoji: '👍🏽', text: 'line\nbreak\t', n: 1, z: null })).toEqual([]);
  });

  it('reports at most twenty errors', () => {
    expect(findUnsafeValues(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('text rules', () => {
  it('refuses NUL and lone surrogates only', () => {
    expect(unsafeTextReason('plain é 中 👍')).toBeUndefined();
    expect(unsafeTextReason('a\u0000')).toMatch(/NUL/);
    expect(unsafeTextReason('\ud83d')).toMatch(/surrogate/);
  });

  it('echoes hostile keys cut short and printable', () => {
    expect(fieldPath('body', ['a\u0000', 0, 'x'.repeat(500)])).toBe(
      `body.a\\u0000.0.${'x'.repeat(100)}`,
    );
    // Cutting through a surrogate pair leaves no half of it behind.
    expect(fieldPath('query', [`${'x'.repeat(99)}👍`])).toBe(`query.${'x'.repeat(99)}\ufffd`);
  });
});

describe('what passes the JSON checks', () => {
  /** JSON text as clients write it, with the literals JSON.stringify never produces. */
  const literal = fc.constantFrom('1e999', '-1e999', '"\\u0000"', '"\\ud800"', '1e-999');
  const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor'));
  const member = fc.oneof(
    fc.tuple(key, literal).map(([k, v]) => `${JSON.stringify(k)}:${v}`),
    fc
      .tuple(key, fc.jsonValue({ maxDepth: 2 }))
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
  );
  const text = fc.array(member, { maxLength: 4 }).map((m) => `{${m.join(',')}}`);

  /** A key-by-key copy, as schema validators make it. */
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out;
  };

  it('is kept as sent through a copy and a round trip to text', () => {
    const seen = { kept: 0, refused: 0 };
    fc.assert(
      fc.property(text, (t) => {
        const parsed = JSON.parse(t);
        if (findUnsafeValues(parsed).length > 0) {
          seen.refused++;
          return;
        }
        seen.kept++;
        expect(JSON.parse(JSON.stringify(copy(parsed)))).toEqual(parsed);
      }),
      { seed: 20_261_129, numRuns: 500 },
    );
    // Both sides were exercised, so the property said something.
    expect(seen.kept).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(50);
  });
});
