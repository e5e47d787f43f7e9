import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED = new URL('../../shared/', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

/** Code without comments, so a JSDoc `@example` mentioning Deno.env does not count. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

// shared/ runs on Supabase Edge (Deno) and on Node: Web APIs only, config passed in.
const FORBIDDEN: Array<[RegExp, string]> = [
  [/from ['"]node:/, 'a node: import'],
  [/\bprocess\.(env|exit|cwd)/, 'process'],
  [/\bDeno\./, 'a Deno global'],
  [/\bBuffer\./, 'Buffer'],
  [/from ['"]\.{1,2}\/[^'"]*(?<!\.ts)['"]/, 'a relative import without .ts'],
];

describe('shared/ is portable', () => {
  it('uses Web APIs only, reads no environment, and imports relative files with .ts', async () => {
    const problems: string[] = [];
    for (const file of await sources(SHARED)) {
      const text = code(await readFile(file, 'utf8'));
      for (const [pattern, what] of FORBIDDEN) {
        if (pattern.test(text)) problems.push(`${file.slice(SHARED.length)}: ${what}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
