import { describe, expect, it } from 'vitest';
import {
  diagnostic,
  formatCompilerError,
  formatDiagnostic,
} from '../../scripts/flutter-sim/dart/diagnostics.ts';
import {
  formatIssue,
  parseAnalyzeOutput,
  parseIssueCount,
} from '../../worker/toolchain/analyze-parser.ts';

const REAL = `Analyzing my_app...                                                     \r
\r
  error • Expected to find ';' • lib/main.dart:12:5 • expected_token\r
warning • Unused import: 'package:flutter/cupertino.dart' • lib/main.dart:2:8 • unused_import\r
   info • Use 'const' with the constructor to improve performance. Try adding the 'const' keyword to the constructor invocation • lib/src/home.dart:30:14 • prefer_const_constructors\r
\r
3 issues found. (ran in 2.4s)\r
`;

describe('parseAnalyzeOutput', () => {
  it('reads flutter analyze lines into severity, message, file, line, column and code', () => {
    expect(parseAnalyzeOutput(REAL)).toEqual([
      {
        severity: 'error',
        message: "Expected to find ';'",
        file: 'lib/main.dart',
        line: 12,
        column: 5,
        code: 'expected_token',
      },
      {
        severity: 'warning',
        message: "Unused import: 'package:flutter/cupertino.dart'",
        file: 'lib/main.dart',
        line: 2,
        column: 8,
        code: 'unused_import',
      },
      {
        severity: 'info',
        message:
          "Use 'const' with the constructor to improve performance. Try adding the 'const' keyword to the constructor invocation",
        file: 'lib/src/home.dart',
        line: 30,
        column: 14,
        code: 'prefer_const_constructors',
      },
    ]);
    expect(parseIssueCount(REAL)).toBe(3);
  });

  it('ignores colours and keeps bullets inside messages', () => {
    const line =
      "\u001b[1m  \u001b[31merror\u001b[0m • Bad • char ' • ' here • lib/a.dart:1:2 • some_code\n";
    expect(parseAnalyzeOutput(line)).toEqual([
      {
        severity: 'error',
        message: "Bad • char ' • ' here",
        file: 'lib/a.dart',
        line: 1,
        column: 2,
        code: 'some_code',
      },
    ]);
  });

  it('reads the machine format, relative to the project root', () => {
    const out =
      "ERROR|COMPILE_TIME_ERROR|UNDEFINED_IDENTIFIER|/ws/p1/lib/main.dart|7|3|4|Undefined name 'nope'.";
    expect(parseAnalyzeOutput(out, '/ws/p1')).toEqual([
      {
        severity: 'error',
        message: "Undefined name 'nope'",
        file: 'lib/main.dart',
        line: 7,
        column: 3,
        code: 'undefined_identifier',
      },
    ]);
  });

  it("reads the web compiler's errors from a failed build", () => {
    const out =
      "Target dart2js failed: ProcessException: Process exited abnormally with code 1:\nlib/main.dart:2:25: Error: Expected ';' after this.\n  runApp(const X())\n                        ^\nError: Compilation failed.";
    expect(parseAnalyzeOutput(out)).toEqual([
      {
        severity: 'error',
        message: "Expected ';' after this",
        file: 'lib/main.dart',
        line: 2,
        column: 25,
        code: 'compile_error',
      },
    ]);
  });

  it('reads back what the simulated analyzer prints, and formats issues the same way', () => {
    const d = diagnostic('undefined_class', 'lib/main.dart', 4, 9, ['Strin']);
    const [parsed] = parseAnalyzeOutput(`${formatDiagnostic(d)}\n${formatCompilerError(d)}`);
    expect(parsed).toEqual({ ...d, message: d.message.replace(/\.$/, '') });
    expect(formatIssue(parsed!)).toBe(formatDiagnostic(d));
  });

  it('finds nothing in output without issues', () => {
    const out = 'Analyzing app...\nNo issues found! (ran in 1.1s)\n';
    expect(parseAnalyzeOutput(out)).toEqual([]);
    expect(parseIssueCount(out)).toBe(0);
    expect(parseIssueCount('Resolving dependencies...')).toBeUndefined();
  });
});
