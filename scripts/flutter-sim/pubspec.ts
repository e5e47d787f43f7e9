import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

export interface Pubspec {
  name: string;
  description: string;
  version: string;
  /** Package name → constraint (`^1.0.8`, `any`) or `sdk:flutter`. */
  dependencies: Map<string, string>;
  devDependencies: Map<string, string>;
  usesMaterialDesign: boolean;
  assets: string[];
}

export class PubspecError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }

  /** Pub's wording: `Error on line 3, column 5 of pubspec.yaml: …`. */
  format(): string {
    return `Error on line ${this.line}, column ${this.column} of pubspec.yaml: ${this.message}`;
  }
}

const DART_NAME = /^[a-z_][a-z0-9_]*$/;

/** Reads and validates a pubspec as pub does (the fields the simulated toolchain uses). */
export function parsePubspec(text: string): Pubspec {
  const doc = parseDocument(text, { prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
    throw new PubspecError(first.message.split('\n')[0] ?? 'Invalid YAML', pos.line, pos.col);
  }
  const data = doc.toJS() as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') throw new PubspecError('Expected a map.', 1, 1);
  const name = data.name;
  if (typeof name !== 'string') throw new PubspecError('Missing the required "name" field.', 1, 1);
  if (!DART_NAME.test(name)) {
    throw new PubspecError(
      '"name" field must be a valid Dart identifier.',
      lineOf(text, 'name'),
      7,
    );
  }
  const flutter = (data.flutter ?? {}) as Record<string, unknown>;
  return {
    name,
    description: typeof data.description === 'string' ? data.description : '',
    version: typeof data.version === 'string' ? data.version : '1.0.0',
    dependencies: deps(data.dependencies, text, 'dependencies'),
    devDependencies: deps(data.dev_dependencies, text, 'dev_dependencies'),
    usesMaterialDesign: flutter['uses-material-design'] === true,
    assets: Array.isArray(flutter.assets) ? flutter.assets.map(String) : [],
  };
}

function deps(value: unknown, text: string, field: string): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PubspecError(`"${field}" field must be a map.`, lineOf(text, field), 1);
  }
  for (const [name, spec] of Object.entries(value)) {
    if (!DART_NAME.test(name)) {
      throw new PubspecError(`Invalid package name "${name}".`, lineOf(text, name), 3);
    }
    if (spec && typeof spec === 'object' && 'sdk' in spec) out.set(name, `sdk:${String(spec.sdk)}`);
    else out.set(name, spec === null || spec === undefined ? 'any' : String(spec));
  }
  return out;
}

function lineOf(text: string, key: string): number {
  const index = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`));
  return index === -1 ? 1 : index + 1;
}

/** The project's pubspec, or `undefined` when the directory has none. */
export function readPubspec(root: string): Pubspec | undefined {
  const path = join(root, 'pubspec.yaml');
  if (!existsSync(path)) return undefined;
  return parsePubspec(readFileSync(path, 'utf8'));
}
