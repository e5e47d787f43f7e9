import { type Diagnostic, diagnostic } from './diagnostics.ts';
import type { Token } from './lexer.ts';
import { CONTEXTUAL } from './names.ts';

const MEMBER_ACCESS = new Set(['.', '?.', '..', '?..']);
const TYPE_CONTEXT = new Set(['extends', 'implements', 'with', 'is', 'as', 'on', '<']);
const MAX_PER_FILE = 50;

export interface NameCheckOptions {
  /** Report `avoid_print` (the flutter_lints rule) for calls of `print`. */
  avoidPrint: boolean;
}

/**
 * Reports names used in a file that neither the file, its imports nor dart:core declare.
 * Members after `.` are not checked (that needs types), nor named arguments (`title:`).
 */
export function checkNames(
  tokens: Token[],
  skip: Set<number>,
  visible: ReadonlySet<string>,
  file: string,
  opts: NameCheckOptions,
): Diagnostic[] {
  const issues: Diagnostic[] = [];
  const check = (list: Token[], i: number) => {
    const t = list[i] as Token;
    const prev = list[i - 1];
    const next = list[i + 1];
    if (t.kind !== 'ident' || (prev && MEMBER_ACCESS.has(prev.value))) return;
    if (opts.avoidPrint && t.value === 'print' && next?.value === '(' && visible.has('print')) {
      issues.push(diagnostic('avoid_print', file, t.line, t.column));
      return;
    }
    if (next?.value === ':' || CONTEXTUAL.has(t.value) || /^[A-Z]$/.test(t.value)) return;
    if (visible.has(t.value) || issues.length >= MAX_PER_FILE) return;
    issues.push(diagnostic(kindOf(t, prev, next, list[i + 2]), file, t.line, t.column, [t.value]));
  };
  for (let i = 0; i < tokens.length; i++) {
    if (skip.has(i)) continue;
    check(tokens, i);
    const embedded = tokens[i]?.embedded;
    if (embedded) for (let k = 0; k < embedded.length; k++) check(embedded, k);
  }
  return issues;
}

function kindOf(
  t: Token,
  prev: Token | undefined,
  next: Token | undefined,
  afterNext: Token | undefined,
): 'undefined_function' | 'undefined_class' | 'undefined_identifier' {
  if (next?.value === '(') return 'undefined_function';
  const capital = /^_?[A-Z]/.test(t.value);
  const typeUse =
    next?.kind === 'ident' ||
    next?.value === '<' ||
    (next?.value === '?' && afterNext?.kind === 'ident') ||
    (prev !== undefined && TYPE_CONTEXT.has(prev.value));
  return capital && typeUse ? 'undefined_class' : 'undefined_identifier';
}
