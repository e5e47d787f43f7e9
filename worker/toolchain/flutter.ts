import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The simulated toolchain's command, in this repository. */
export const SIMULATED_FLUTTER = fileURLToPath(
  new URL('../../scripts/flutter-sim/flutter', import.meta.url),
);

export interface FlutterToolchain {
  /** What to run as `flutter`. */
  bin: string;
  /** True when no SDK was found and the simulated toolchain stands in. */
  simulated: boolean;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The toolchain to run: `FLUTTER_BIN` when set (a real SDK's `bin/flutter`, or the
 * simulated one), else `flutter` on PATH, else the simulated toolchain.
 */
export function resolveFlutter(
  env: Record<string, string | undefined> = process.env,
): FlutterToolchain {
  const configured = env.FLUTTER_BIN?.trim();
  if (configured) return { bin: configured, simulated: configured === SIMULATED_FLUTTER };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'flutter');
    if (executable(candidate)) return { bin: candidate, simulated: false };
  }
  return { bin: SIMULATED_FLUTTER, simulated: true };
}

/** The arguments of each step the worker runs, as the real CLI takes them. */
export const flutterArgs = {
  version: () => ['--version'],
  pubGet: () => ['pub', 'get'],
  analyze: () => ['analyze', '--no-fatal-infos'],
  buildWeb: (opts: { baseHref?: string } = {}) => [
    'build',
    'web',
    '--release',
    ...(opts.baseHref ? ['--base-href', opts.baseHref] : []),
  ],
  runWebServer: (opts: { port: number; hostname: string }) => [
    'run',
    '-d',
    'web-server',
    '--web-port',
    String(opts.port),
    '--web-hostname',
    opts.hostname,
  ],
} as const;

/** `lib/main.dart is being served at http://127.0.0.1:8080` → the URL, from `flutter run` output. */
export function servedUrl(output: string): string | undefined {
  return /is being served at (https?:\/\/\S+)/.exec(output)?.[1];
}
