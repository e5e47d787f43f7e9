import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { err, out, pause, step } from '../console.ts';
import { formatCompilerError } from '../dart/diagnostics.ts';
import { readPubspec } from '../pubspec.ts';
import { readAppView } from '../web/app-view.ts';
import { BundleError, writeWebBundle } from '../web/bundle.ts';
import { analyzeProject } from './analyze.ts';
import { noPubspec, pubGet } from './pub.ts';

export interface WebBuildOptions {
  target: string;
  baseHref: string;
  output: string;
  mode: 'release' | 'debug' | 'profile';
  pub: boolean;
}

/** Parses `flutter build web` flags; an unknown flag is returned for the caller to reject. */
export function buildFlags(args: string[]): { opts: WebBuildOptions; unknown?: string } {
  const opts: WebBuildOptions = {
    target: 'lib/main.dart',
    baseHref: '/',
    output: 'build/web',
    mode: 'release',
    pub: true,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const name = eq === -1 ? a : a.slice(0, eq);
    const take = () => (eq === -1 ? (args[++i] ?? '') : a.slice(eq + 1));
    switch (name) {
      case '--release':
      case '--debug':
      case '--profile':
        opts.mode = name.slice(2) as WebBuildOptions['mode'];
        break;
      case '-t':
      case '--target':
        opts.target = take();
        break;
      case '--base-href':
        opts.baseHref = take();
        break;
      case '-o':
      case '--output':
        opts.output = take();
        break;
      case '--pub':
      case '--no-pub':
        opts.pub = name === '--pub';
        break;
      case '--dart-define':
      case '--dart-define-from-file':
      case '--web-renderer':
      case '--pwa-strategy':
      case '--optimization-level':
        take();
        break;
      default:
        // Flags that change how real output is optimised, not what the simulation writes.
        if (
          !/^--(no-)?(tree-shake-icons|source-maps|wasm|csp|dump-info|strip-wasm)$|^-O\d$/.test(a)
        ) {
          return { opts, unknown: a };
        }
    }
  }
  return { opts };
}

/**
 * Compiles (checks) the app and writes the bundle. Prints compile errors the way the web
 * compiler does and returns false when there are any.
 */
export async function compileWeb(
  root: string,
  opts: WebBuildOptions,
  label: string,
): Promise<boolean> {
  const pubspec = readPubspec(root);
  if (!pubspec) throw new Error('No pubspec.yaml file found.');
  const targetPath = resolve(root, opts.target);
  if (!existsSync(targetPath)) {
    err(`Target file "${opts.target}" not found.`);
    return false;
  }
  const errors = await step(label, async () => {
    await pause(opts.mode === 'release' ? 9000 : 6000);
    return analyzeProject(root, ['lib']).filter((d) => d.severity === 'error');
  });
  if (errors.length) {
    err('Target dart2js failed: ProcessException: Process exited abnormally with code 1:');
    for (const d of errors) {
      err(formatCompilerError(d));
      const source = readFileSync(join(root, d.file), 'utf8').split('\n')[d.line - 1];
      if (source !== undefined) err(`${source}\n${' '.repeat(Math.max(0, d.column - 1))}^`);
    }
    err('Error: Compilation failed.');
    return false;
  }
  try {
    const view = readAppView(readFileSync(targetPath, 'utf8'), pubspec.name);
    writeWebBundle(root, resolve(root, opts.output), {
      pubspec,
      view,
      baseHref: opts.baseHref,
      target: opts.target,
    });
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    err(e.message);
    return false;
  }
  return true;
}

/** `flutter build web`. */
export async function buildWebCommand(root: string, opts: WebBuildOptions): Promise<number> {
  if (!readPubspec(root)) return noPubspec();
  if (!opts.baseHref.startsWith('/') || !opts.baseHref.endsWith('/')) {
    err(`Received a --base-href value of "${opts.baseHref}"`);
    err('--base-href should start and end with /');
    return 1;
  }
  if (opts.pub) {
    const code = await pubGet(root, { implicit: true });
    if (code !== 0) return code;
  }
  const ok = await compileWeb(root, opts, `Compiling ${opts.target} for the Web...`);
  if (!ok) {
    err('Error: Failed to compile application for the Web.');
    return 1;
  }
  await pause(400);
  out(`✓ Built ${opts.output}`);
  return 0;
}
