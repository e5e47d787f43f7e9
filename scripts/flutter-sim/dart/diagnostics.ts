/** One finding, as the Dart analyzer reports it. */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  /** The analyzer's message with its correction, as `flutter analyze` prints it. */
  message: string;
  /** Path relative to the project root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  /** The analyzer's diagnostic code in lower case (`expected_token`, `avoid_print`, …). */
  code: string;
}

type Code = keyof typeof CATALOG;

// The analyzer's own wording ({0} is the argument); `flutter analyze` prints the message and
// its correction together, without the final full stop.
const CATALOG = {
  expected_token: ['error', "Expected to find '{0}'.", ''],
  unexpected_token: ['error', "Unexpected text '{0}'.", 'Try removing the text.'],
  unterminated_string_literal: ['error', 'Unterminated string literal.', ''],
  unterminated_multi_line_comment: [
    'error',
    'Unterminated multi-line comment.',
    "Try terminating the comment with '*/', or removing any unbalanced occurrences of '/*' (because comments nest in Dart).",
  ],
  illegal_character: ['error', "Illegal character '{0}'.", ''],
  uri_does_not_exist: [
    'error',
    "Target of URI doesn't exist: '{0}'.",
    'Try creating the file referenced by the URI, or try using a URI for a file that does exist.',
  ],
  undefined_identifier: [
    'error',
    "Undefined name '{0}'.",
    'Try correcting the name to one that is defined, or defining the name.',
  ],
  undefined_class: [
    'error',
    "Undefined class '{0}'.",
    "Try changing the name to the name of an existing class, or creating a class with the name '{0}'.",
  ],
  undefined_function: [
    'error',
    "The function '{0}' isn't defined.",
    "Try importing the library that defines '{0}', correcting the name to the name of an existing function, or defining a function named '{0}'.",
  ],
  include_file_not_found: [
    'warning',
    "The include file '{0}' in '{1}' can't be found when analyzing '{2}'.",
    '',
  ],
  depend_on_referenced_packages: [
    'info',
    "The imported package '{0}' isn't a dependency of the importing package.",
    "Try adding a dependency for '{0}' in the 'pubspec.yaml' file.",
  ],
  avoid_print: [
    'info',
    "Don't invoke 'print' in production code.",
    'Try using a logging framework.',
  ],
} as const;

/** A diagnostic in the analyzer's words. */
export function diagnostic(
  code: Code,
  file: string,
  line: number,
  column: number,
  args: string[] = [],
): Diagnostic {
  const [severity, message, correction] = CATALOG[code];
  const fill = (text: string) => text.replace(/\{(\d)\}/g, (_, i) => args[Number(i)] ?? '');
  const full = correction ? `${fill(message)} ${fill(correction)}` : fill(message);
  return { severity, message: full, file, line, column, code };
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** The analyzer's order: by file, then position, then severity. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      RANK[a.severity] - RANK[b.severity],
  );
}

/** One line of `flutter analyze` output: `  error • message • file:line:col • code`. */
export function formatDiagnostic(d: Diagnostic): string {
  const message = d.message.endsWith('.') ? d.message.slice(0, -1) : d.message;
  return `${d.severity.padStart(7)} • ${message} • ${d.file}:${d.line}:${d.column} • ${d.code}`;
}

/** How the web compiler reports the same error when a build fails. */
export function formatCompilerError(d: Diagnostic): string {
  const first = d.message.split('. Try ')[0] ?? d.message;
  const text = first.endsWith('.') ? first : `${first}.`;
  return `${d.file}:${d.line}:${d.column}: Error: ${text}`;
}
