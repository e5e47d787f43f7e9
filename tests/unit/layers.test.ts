import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

/**
 * The layers of shared/ (README, "Layers"), top to bottom. A file may import its own layer
 * and any layer below; never one above. Domain folders may use each other.
 */
const LAYERS: Array<[layer: string, folders: string[]]> = [
  ['functions', ['shared/functions']],
  ['runtime', ['shared/runtime']],
  [
    'domain',
    [
      'shared/identity',
      'shared/projects',
      'shared/rbac',
      'shared/generations',
      'shared/jobs',
      'shared/crm',
      'shared/whatsapp',
    ],
  ],
  ['http', ['shared/http']],
  ['auth-db', ['shared/auth', 'shared/db']],
  ['core', ['shared']],
];
const RANK = new Map(LAYERS.map(([layer], i) => [layer, LAYERS.length - i]));

function layerOf(file: string): string | undefined {
  const rel = relative(ROOT, file);
  for (const [layer, folders] of LAYERS) {
    for (const folder of folders) {
      // Core is the files directly in shared/, not its subfolders.
      if (layer === 'core' ? dirname(rel) === folder : rel.startsWith(`${folder}/`)) return layer;
    }
  }
  return undefined;
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] as string));
}

describe('imports point one way', () => {
  it('no file in shared/ imports a layer above its own', async () => {
    const wrong: string[] = [];
    for (const file of await sources(join(ROOT, 'shared'))) {
      const from = layerOf(file);
      if (!from) continue;
      for (const target of await importsOf(file)) {
        const to = layerOf(target);
        if (to && (RANK.get(to) ?? 0) > (RANK.get(from) ?? 0)) {
          wrong.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the worker uses domain folders and below, never the functions or their runtime', async () => {
    const wrong: string[] = [];
    for (const file of await sources(join(ROOT, 'worker'))) {
      for (const target of await importsOf(file)) {
        const to = layerOf(target);
        if (to === 'functions' || to === 'runtime')
          wrong.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every folder of shared/ belongs to a layer', async () => {
    const entries = await readdir(join(ROOT, 'shared'), { withFileTypes: true });
    const unplaced = entries
      .filter((e) => e.isDirectory())
      .map((e) => `shared/${e.name}`)
      .filter((folder) => !LAYERS.some(([, folders]) => folders.includes(folder)));
    expect(unplaced).toEqual([]);
  });
});
