/**
 * The package versions the simulated pub resolves, offline. Real pub asks pub.dev; here a
 * package outside this table fails resolution the way a package that does not exist does.
 */
interface Entry {
  version: string;
  deps?: string[];
  /** A newer version exists that the SDK's pins keep out, as pub reports. */
  newer?: string;
}

const TABLE: Record<string, Entry> = {
  async: { version: '2.11.0', newer: '2.12.0' },
  boolean_selector: { version: '2.1.1' },
  characters: { version: '1.3.0', newer: '1.4.0' },
  clock: { version: '1.1.1' },
  collection: { version: '1.19.0', newer: '1.19.1' },
  cupertino_icons: { version: '1.0.8' },
  equatable: { version: '2.0.7' },
  fake_async: { version: '1.3.1', newer: '1.3.2' },
  flutter_lints: { version: '5.0.0', deps: ['lints'] },
  flutter_riverpod: { version: '2.6.1', deps: ['riverpod', 'state_notifier', 'collection'] },
  go_router: { version: '14.6.2', deps: ['logging', 'meta'] },
  google_fonts: { version: '6.2.1', deps: ['http', 'path_provider', 'crypto'] },
  http: { version: '1.2.2', deps: ['async', 'http_parser', 'meta', 'web'] },
  http_parser: { version: '4.0.2', deps: ['collection', 'source_span', 'string_scanner'] },
  intl: { version: '0.19.0', deps: ['clock', 'meta', 'path'] },
  leak_tracker: { version: '10.0.7', newer: '10.0.8' },
  leak_tracker_flutter_testing: { version: '3.0.8', newer: '3.0.9' },
  leak_tracker_testing: { version: '3.0.1' },
  lints: { version: '5.1.1' },
  logging: { version: '1.3.0' },
  matcher: { version: '0.12.16+1', newer: '0.12.17' },
  material_color_utilities: { version: '0.11.1', newer: '0.12.0' },
  meta: { version: '1.15.0', newer: '1.16.0' },
  nested: { version: '1.0.0' },
  path: { version: '1.9.0', newer: '1.9.1' },
  path_provider: { version: '2.1.5' },
  crypto: { version: '3.0.6', deps: ['typed_data'] },
  provider: { version: '6.1.2', deps: ['collection', 'nested'] },
  riverpod: { version: '2.6.1' },
  shared_preferences: { version: '2.3.3' },
  source_span: { version: '1.10.0', newer: '1.10.1' },
  stack_trace: { version: '1.12.0', newer: '1.12.1' },
  state_notifier: { version: '1.0.0' },
  stream_channel: { version: '2.1.2', newer: '2.1.4' },
  string_scanner: { version: '1.3.0', newer: '1.4.1' },
  term_glyph: { version: '1.2.1', newer: '1.2.2' },
  test_api: { version: '0.7.3', newer: '0.7.4' },
  typed_data: { version: '1.4.0' },
  url_launcher: { version: '6.3.1' },
  uuid: { version: '4.5.1', deps: ['crypto', 'meta'] },
  vector_math: { version: '2.1.4' },
  vm_service: { version: '14.3.0', newer: '15.0.0' },
  web: { version: '1.1.0' },
};

/** What the Flutter SDK's own packages pull in. */
const SDK: Record<string, string[]> = {
  flutter: [
    'characters',
    'collection',
    'material_color_utilities',
    'meta',
    'sky_engine',
    'vector_math',
  ],
  flutter_test: [
    'async',
    'boolean_selector',
    'clock',
    'fake_async',
    'leak_tracker',
    'leak_tracker_flutter_testing',
    'leak_tracker_testing',
    'matcher',
    'path',
    'source_span',
    'stack_trace',
    'stream_channel',
    'string_scanner',
    'term_glyph',
    'test_api',
    'vm_service',
  ],
  flutter_localizations: ['intl'],
  flutter_web_plugins: [],
  sky_engine: [],
};

export interface Resolved {
  name: string;
  version: string;
  source: 'hosted' | 'sdk';
  direct: 'main' | 'dev' | 'transitive';
  newer?: string;
}

export class ResolutionError extends Error {}

/**
 * Resolves direct dependencies (name → constraint or `sdk:flutter`) and their transitive
 * ones, as pub would, or explains why it cannot.
 */
export function resolve(
  root: string,
  main: Map<string, string>,
  dev: Map<string, string>,
): Resolved[] {
  const out = new Map<string, Resolved>();
  const visit = (name: string, direct: Resolved['direct'], sdk: boolean, constraint = 'any') => {
    const known = out.get(name);
    if (known) {
      if (direct !== 'transitive' && known.direct === 'transitive') known.direct = direct;
      return;
    }
    if (sdk) {
      const deps = SDK[name];
      if (!deps) {
        throw new ResolutionError(
          `Because ${root} depends on ${name} from sdk which doesn't exist (Flutter SDK does not contain package ${name}), version solving failed.`,
        );
      }
      out.set(name, { name, version: '0.0.0', source: 'sdk', direct });
      for (const dep of deps) visit(dep, 'transitive', dep in SDK);
      return;
    }
    const entry = TABLE[name];
    if (!entry) {
      throw new ResolutionError(
        `Because ${root} depends on ${name} any which doesn't exist (could not find package ${name} at https://pub.dev), version solving failed.`,
      );
    }
    if (!satisfies(entry.version, constraint)) {
      throw new ResolutionError(
        `Because ${root} depends on ${name} ${constraint} which doesn't match any versions, version solving failed.`,
      );
    }
    out.set(name, { name, version: entry.version, source: 'hosted', direct, newer: entry.newer });
    for (const dep of entry.deps ?? []) visit(dep, 'transitive', false);
  };
  for (const [name, spec] of main) visit(name, 'main', spec.startsWith('sdk:'), spec);
  for (const [name, spec] of dev) visit(name, 'dev', spec.startsWith('sdk:'), spec);
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const parts = (v: string) => (v.split(/[+-]/)[0] ?? '').split('.').map((n) => Number(n) || 0);
const compare = (a: number[], b: number[]) =>
  (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);

/** Pub's constraint forms that pubspecs use: `any`, `^x.y.z`, `>=x <y`, or an exact version. */
export function satisfies(version: string, constraint: string): boolean {
  const c = constraint.trim();
  if (c === 'any' || c === '') return true;
  const v = parts(version);
  if (c.startsWith('^')) {
    const min = parts(c.slice(1));
    // ^1.2.3 allows <2.0.0; ^0.2.3 allows <0.3.0 (pub's caret on pre-1.0 versions).
    const max = (min[0] ?? 0) > 0 ? [(min[0] ?? 0) + 1, 0, 0] : [0, (min[1] ?? 0) + 1, 0];
    return compare(v, min) >= 0 && compare(v, max) < 0;
  }
  const ranges = [...c.matchAll(/(>=|>|<=|<)\s*([0-9][0-9.+-]*)/g)];
  if (ranges.length) {
    return ranges.every(([, op, bound]) => {
      const d = compare(v, parts(bound ?? '0'));
      return op === '>=' ? d >= 0 : op === '>' ? d > 0 : op === '<=' ? d <= 0 : d < 0;
    });
  }
  return compare(v, parts(c)) === 0;
}
