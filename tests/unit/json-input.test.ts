import { describe, expect, it } from 'vitest';
import { findTooDeep, findUnsafeStrings } from '../../shared/http/input/json.ts';
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

describe('findUnsafeStrings', () => {
  it('finds NUL and lone surrogates in values and keys, with paths', () => {
    const value = JSON.parse('{"a":["ok","\\u0000"],"\\ud800":1,"b":{"c":"\\udc00x"}}');
    expect(findUnsafeStrings(value)).toEqual(
      expect.arrayContaining([
        { path: 'body.a.1', message: expect.stringContaining('NUL') },
        { path: 'body.\ufffd', message: expect.stringContaining('Key') },
        { path: 'body.b.c', message: expect.stringContaining('surrogate') },
      ]),
    );
  });

  it('accepts well-formed text, surrogate pairs included', () => {
    expect(findUnsafeStrings({ emoji: '👍🏽', text: 'line\nbreak\t', n: 1, z: null })).toEqual([]);
  });

  it('reports at most twenty errors', () => {
    expect(findUnsafeStrings(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
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
