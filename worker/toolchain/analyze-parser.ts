/** One finding of `flutter analyze` (or of the web compiler), structured. */
export interface AnalysisIssue {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** As printed: relative to the project root, forward slashes. */
  file: string;
  line: number;
  column: number;
  /** The analyzer's code in lower case (`undefined_identifier`); `compile_error` for the compiler. */
  code: string;
}

// Colour and cursor sequences a terminal-aware toolchain may print (CSI and OSC); built from
// a string because a regex literal may not hold control characters.
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]|${ESC}\\][^${BEL}]*${BEL}`, 'g');

// `  error • Message • lib/main.dart:12:5 • code` (flutter analyze). The message may itself
// contain ' • ', so the location and code are matched from the end of the line.
const HUMAN =
  /^\s*(error|warning|info|hint|lint)\s+•\s+(.+)\s+•\s+(\S+):(\d+):(\d+)\s+•\s+([a-z0-9_]+)\s*$/i;

// `ERROR|COMPILE_TIME_ERROR|UNDEFINED_IDENTIFIER|/abs/lib/main.dart|12|5|3|Undefined name 'x'.`
// (dart analyze --format=machine)
const MACHINE = /^(ERROR|WARNING|INFO)\|[A-Z_]+\|([A-Z0-9_]+)\|(.+?)\|(\d+)\|(\d+)\|\d+\|(.*)$/;

// `lib/main.dart:12:5: Error: Expected ';' after this.` (dart2js / the front end)
const COMPILER = /^(.+?\.dart):(\d+):(\d+): Error: (.+)$/;

const severityOf = (word: string): AnalysisIssue['severity'] => {
  const w = word.toLowerCase();
  if (w === 'error') return 'error';
  if (w === 'warning') return 'warning';
  return 'info';
};

/** Text as a terminal would show it: no escape sequences, no carriage returns. */
export function stripTerminal(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n');
}

/**
 * Turns `flutter analyze` output into structured issues. Reads the human format (one
 * `severity • message • file:line:col • code` line per issue), the machine format of
 * `dart analyze --format=machine`, and the web compiler's `file:line:col: Error: …` lines,
 * so a failed build reports the same shape. Everything else (banners, progress, the
 * summary) is skipped.
 *
 * @example
 * parseAnalyzeOutput("  error • Undefined name 'x' • lib/main.dart:3:9 • undefined_identifier")
 * // → [{ severity: 'error', message: "Undefined name 'x'", file: 'lib/main.dart', line: 3, column: 9, code: 'undefined_identifier' }]
 */
export function parseAnalyzeOutput(output: string, root?: string): AnalysisIssue[] {
  const issues: AnalysisIssue[] = [];
  const relative = (file: string) => {
    const f = file.replace(/\\/g, '/');
    const base = root?.replace(/\\/g, '/').replace(/\/?$/, '/');
    return base && f.startsWith(base) ? f.slice(base.length) : f;
  };
  for (const line of stripTerminal(output).split('\n')) {
    const human = HUMAN.exec(line);
    if (human) {
      const [, severity, message, file, l, c, code] = human as unknown as string[];
      issues.push(issue(severityOf(severity ?? ''), message, relative(file ?? ''), l, c, code));
      continue;
    }
    const machine = MACHINE.exec(line);
    if (machine) {
      const [, severity, code, file, l, c, message] = machine as unknown as string[];
      const text = (message ?? '').replace(/\.$/, '');
      issues.push(
        issue(severityOf(severity ?? ''), text, relative(file ?? ''), l, c, code?.toLowerCase()),
      );
      continue;
    }
    const compiler = COMPILER.exec(line.trim());
    if (compiler) {
      const [, file, l, c, message] = compiler as unknown as string[];
      const text = (message ?? '').replace(/\.$/, '');
      issues.push(issue('error', text, relative(file ?? ''), l, c, 'compile_error'));
    }
  }
  return issues;
}

function issue(
  severity: AnalysisIssue['severity'],
  message: string | undefined,
  file: string,
  line: string | undefined,
  column: string | undefined,
  code: string | undefined,
): AnalysisIssue {
  return {
    severity,
    message: (message ?? '').trim(),
    file,
    line: Number(line),
    column: Number(column),
    code: code ?? 'unknown',
  };
}

/** `N issues found.` / `No issues found!` from the summary line; `undefined` when absent. */
export function parseIssueCount(output: string): number | undefined {
  const text = stripTerminal(output);
  if (/No issues found!/.test(text)) return 0;
  const m = /(\d+) issues? found\./.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Formats an issue back into the line `flutter analyze` prints (for prompts and logs). */
export function formatIssue(i: AnalysisIssue): string {
  return `${i.severity.padStart(7)} • ${i.message} • ${i.file}:${i.line}:${i.column} • ${i.code}`;
}
