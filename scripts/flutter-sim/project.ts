import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import type { Sources } from './dart/analyzer.ts';
import { type Diagnostic, diagnostic } from './dart/diagnostics.ts';
import { readPubspec } from './pubspec.ts';

const SOURCE_DIRS = ['lib', 'bin', 'test', 'integration_test'];
const FLUTTER_LINTS = 'package:flutter_lints/flutter.yaml';

/** Every `.dart` file under `dir`, skipping build output and tool caches. */
function dartFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'build') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...dartFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.dart')) out.push(path);
  }
  return out;
}

/**
 * The project's Dart sources and the lint settings of its analysis_options.yaml, as the
 * analyzer sees them. `paths` narrows what is analyzed (files or folders, like
 * `flutter analyze lib/`); every file is still loaded so imports resolve.
 */
export function loadSources(
  root: string,
  paths: string[] = [],
): { sources: Sources; targets: Set<string>; optionIssues: Diagnostic[] } {
  const pubspec = readPubspec(root);
  if (!pubspec) throw new Error('No pubspec.yaml file found.');
  const files = new Map<string, string>();
  for (const dir of SOURCE_DIRS) {
    for (const path of dartFiles(join(root, dir))) {
      files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  }
  const wanted = paths.map((p) => relative(root, resolve(root, p)).split(sep).join('/'));
  const targets = new Set(
    [...files.keys()].filter(
      (f) => !wanted.length || wanted.some((w) => w === '' || f === w || f.startsWith(`${w}/`)),
    ),
  );
  const { avoidPrint, issues } = lintSettings(root, pubspec.devDependencies.has('flutter_lints'));
  return { sources: { files, pubspec, lints: { avoidPrint } }, targets, optionIssues: issues };
}

function lintSettings(root: string, haveLints: boolean) {
  const path = join(root, 'analysis_options.yaml');
  const issues: Diagnostic[] = [];
  if (!existsSync(path)) return { avoidPrint: false, issues };
  const text = readFileSync(path, 'utf8');
  let options: Record<string, unknown> = {};
  try {
    options = (parse(text) ?? {}) as Record<string, unknown>;
  } catch {
    return { avoidPrint: false, issues };
  }
  const include = options.include;
  const usesFlutterLints = include === FLUTTER_LINTS;
  if (usesFlutterLints && !haveLints) {
    const line = text.split('\n').findIndex((l) => l.startsWith('include:')) + 1;
    issues.push(
      diagnostic('include_file_not_found', 'analysis_options.yaml', line, 10, [
        FLUTTER_LINTS,
        path,
        root,
      ]),
    );
  }
  const rules = (options.linter as { rules?: unknown } | undefined)?.rules;
  const off =
    rules && typeof rules === 'object' && !Array.isArray(rules)
      ? (rules as Record<string, unknown>).avoid_print === false
      : false;
  return { avoidPrint: usesFlutterLints && haveLints && !off, issues };
}
