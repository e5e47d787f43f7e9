import { posix } from 'node:path';
import type { Pubspec } from '../pubspec.ts';
import { type Directive, declaredNames, readDirectives } from './declarations.ts';
import { type Diagnostic, diagnostic, sortDiagnostics } from './diagnostics.ts';
import { lex, type Token } from './lexer.ts';
import { CORE_NAMES, dartLibraries, libraryNames } from './names.ts';
import { checkNames } from './references.ts';
import { checkStructure } from './structure.ts';

export interface Sources {
  /** Project-relative path (forward slashes) → Dart source. */
  files: Map<string, string>;
  pubspec: Pubspec;
  /** flutter_lints rules that are on. */
  lints: { avoidPrint: boolean };
}

interface Parsed {
  tokens: Token[];
  skip: Set<number>;
  directives: Directive[];
  declared: Set<string>;
}

// Dart SDK libraries that exist but whose names are not catalogued: importing them is fine,
// and files that do are not checked for undefined names.
const UNCATALOGUED_DART = ['ffi', 'html', 'isolate', 'js_interop', 'ui_web', 'js_util'];

/**
 * Analyzes Dart sources the way `flutter analyze` reports them: syntax (strings, comments,
 * brackets, missing semicolons), imports that resolve to nothing, and names that nothing
 * declares. In memory, so callers can check files before writing them.
 */
export function analyzeSources(sources: Sources): Diagnostic[] {
  const parsed = new Map<string, Parsed>();
  const out: Diagnostic[] = [];
  for (const [file, text] of sources.files) {
    const { tokens, issues } = lex(text, file);
    const { directives, skip } = readDirectives(tokens);
    parsed.set(file, { tokens, skip, directives, declared: declaredNames(tokens) });
    out.push(...issues, ...checkStructure(tokens, file));
  }
  for (const [file, p] of parsed) {
    const visible = new Set<string>([...CORE_NAMES, ...p.declared]);
    let catalogued = !p.directives.some((d) => d.keyword === 'part of');
    for (const d of p.directives) {
      const found = resolveDirective(d, file, sources, parsed, out);
      if (found === 'unknown') catalogued = false;
      else if (found) addNames(visible, d, found);
    }
    if (catalogued) {
      const lints = { avoidPrint: sources.lints.avoidPrint && file.startsWith('lib/') };
      out.push(...checkNames(p.tokens, p.skip, visible, file, lints));
    }
  }
  return sortDiagnostics(dedupe(out));
}

function addNames(visible: Set<string>, d: Directive, names: ReadonlySet<string>) {
  if (d.prefix) visible.add(d.prefix);
  else if (d.show.length) for (const n of d.show) visible.add(n);
  else for (const n of names) visible.add(n);
}

/**
 * The names a directive brings in; `undefined` when its target does not exist (reported),
 * `'unknown'` when it exists but is not catalogued.
 */
function resolveDirective(
  d: Directive,
  file: string,
  sources: Sources,
  parsed: Map<string, Parsed>,
  out: Diagnostic[],
): ReadonlySet<string> | 'unknown' | undefined {
  const missing = () => {
    out.push(diagnostic('uri_does_not_exist', file, d.token.line, d.token.column, [d.uri]));
    return undefined;
  };
  if (d.keyword === 'part of') return 'unknown';
  if (d.uri.startsWith('dart:')) {
    const lib = d.uri.slice(5);
    if (UNCATALOGUED_DART.includes(lib)) return 'unknown';
    return dartLibraries().includes(lib) ? (libraryNames(d.uri) ?? 'unknown') : missing();
  }
  const local = localTarget(d.uri, file, sources.pubspec.name);
  if (local !== undefined) {
    const target = parsed.get(local);
    if (!target) return sources.files.has(local) ? 'unknown' : missing();
    return target.declared;
  }
  const pkg = /^package:([a-z_][a-z0-9_]*)\//.exec(d.uri)?.[1];
  if (!pkg) return missing();
  const { dependencies: main, devDependencies: dev } = sources.pubspec;
  const inLib = file.startsWith('lib/');
  if (!main.has(pkg) && !dev.has(pkg)) return missing();
  if (inLib && !main.has(pkg)) {
    out.push(
      diagnostic('depend_on_referenced_packages', file, d.token.line, d.token.column, [pkg]),
    );
  }
  const names = libraryNames(d.uri);
  if (names) return names;
  // Flutter's own libraries are all catalogued: anything else under package:flutter/ is not there.
  return pkg === 'flutter' ? missing() : 'unknown';
}

/** The project file a relative or `package:<self>/` URI points at, if it is one. */
function localTarget(uri: string, from: string, self: string): string | undefined {
  if (uri.startsWith(`package:${self}/`)) return `lib/${uri.slice(`package:${self}/`.length)}`;
  if (/^[a-z]+:/.test(uri)) return undefined;
  return posix.normalize(posix.join(posix.dirname(from), uri));
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
