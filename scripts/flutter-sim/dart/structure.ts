import { type Diagnostic, diagnostic } from './diagnostics.ts';
import type { Token } from './lexer.ts';
import { CONTEXTUAL } from './names.ts';

type FrameKind = 'paren' | 'bracket' | 'block' | 'class' | 'enum' | 'literal';
interface Frame {
  kind: FrameKind;
  open: Token;
  /** For `(`: it follows `if`, `for`, `while`, `switch` or `catch`. */
  control?: 'control' | 'switch-statement' | 'switch-expression';
  /** A `for (…;…;…)` header, where `;` belongs inside the parentheses. */
  loop?: boolean;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

// A `{` after one of these starts a collection literal, not a block.
const LITERAL_AFTER = new Set(
  '= ( , [ return => ? ?? { ... ...? const in && || ! : yield'.split(' '),
);
const STATEMENT_KEYWORDS = new Set(
  'return final var const if for while do switch try throw break continue assert class enum rethrow'.split(
    ' ',
  ),
);
const STATEMENT_WORDS = new Set('late import export part typedef mixin abstract sealed'.split(' '));

/** Indices of tokens inside annotations (`@override`, `@Deprecated('x')`). */
function annotationTokens(tokens: Token[]): Set<number> {
  const marked = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]?.value !== '@') continue;
    let j = i + 1;
    marked.add(i);
    while (tokens[j]?.kind === 'ident' || tokens[j]?.value === '.') marked.add(j++);
    if (tokens[j]?.value === '(' && !tokens[j]?.newlineBefore) {
      let depth = 0;
      for (; j < tokens.length; j++) {
        marked.add(j);
        if (tokens[j]?.value === '(') depth++;
        if (tokens[j]?.value === ')' && --depth === 0) break;
      }
    }
  }
  return marked;
}

/**
 * What the parser would report about the shape of a file: brackets that do not match, and
 * statements or declarations that end without a `;` (a line break between two tokens that
 * cannot continue one statement, inside a block, a class body or at the top level).
 */
export function checkStructure(tokens: Token[], file: string): Diagnostic[] {
  const issues: Diagnostic[] = [];
  const stack: Frame[] = [];
  const annotations = annotationTokens(tokens);
  const controlCloses = new Set<number>();
  const switchHeads = new WeakSet<Token>();
  let header: 'class' | 'enum' | undefined;

  const context = (): FrameKind | 'top' => stack.at(-1)?.kind ?? 'top';
  const endsExpression = (i: number) => {
    const t = tokens[i];
    if (!t || annotations.has(i) || controlCloses.has(i)) return false;
    if (t.kind === 'ident' || t.kind === 'number' || t.kind === 'string') return true;
    if (t.kind === 'keyword') return ['true', 'false', 'null', 'this', 'super'].includes(t.value);
    return [')', ']', '++', '--'].includes(t.value);
  };
  const startsStatement = (t: Token) => {
    if (t.kind === 'keyword') return STATEMENT_KEYWORDS.has(t.value);
    if (t.value === '}' || t.value === '@') return true;
    // `implements`, `on`, `as`… continue a declaration or directive across a line break.
    if (t.kind === 'ident') return STATEMENT_WORDS.has(t.value) || !CONTEXTUAL.has(t.value);
    return false;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const prev = tokens[i - 1];
    const ctx = context();
    if (
      prev &&
      t.newlineBefore &&
      (ctx === 'block' || ctx === 'class' || ctx === 'top') &&
      endsExpression(i - 1) &&
      startsStatement(t)
    ) {
      issues.push(diagnostic('expected_token', file, prev.line, prev.column, [';']));
    }

    if (ctx !== 'paren' && ctx !== 'bracket' && ctx !== 'literal' && prev?.value !== '.') {
      if (t.value === 'class' || t.value === 'mixin' || t.value === 'extension') header = 'class';
      if (t.value === 'enum') header = 'enum';
      if (t.value === ';' || t.value === '}') header = undefined;
    }

    // A `;` inside `(…)` or `[…]` (other than a for loop's header) means they were never closed.
    if (t.value === ';' && (ctx === 'paren' || ctx === 'bracket') && !stack.at(-1)?.loop) {
      const at = prev ?? t;
      while (stack.length && ['paren', 'bracket'].includes(stack.at(-1)?.kind ?? '')) {
        const closer = CLOSER[stack.pop()?.open.value ?? ''] ?? '';
        issues.push(diagnostic('expected_token', file, at.line, at.column, [closer]));
      }
    }

    if (t.value === '(' || t.value === '[') {
      const frame: Frame = { kind: t.value === '(' ? 'paren' : 'bracket', open: t };
      if (t.value === '(' && prev && ['if', 'for', 'while', 'catch'].includes(prev.value)) {
        frame.control = 'control';
        frame.loop = prev.value === 'for';
      }
      if (t.value === '(' && prev?.value === 'switch') {
        const before = tokens[i - 2];
        const asExpression =
          ctx === 'paren' ||
          ctx === 'bracket' ||
          ctx === 'literal' ||
          (before !== undefined && LITERAL_AFTER.has(before.value) && before.value !== '{');
        frame.control = asExpression ? 'switch-expression' : 'switch-statement';
      }
      stack.push(frame);
    } else if (t.value === '{') {
      stack.push({ kind: braceKind(prev, switchHeads, header, ctx), open: t });
      header = undefined;
    } else if (t.value in OPENER) {
      closeFrame(t, i);
    }
  }
  const last = tokens.at(-1);
  for (const frame of stack.reverse()) {
    const at = last ?? frame.open;
    issues.push(
      diagnostic('expected_token', file, at.line, at.column, [CLOSER[frame.open.value] ?? '']),
    );
  }
  return issues;

  function closeFrame(t: Token, i: number) {
    const want = OPENER[t.value];
    const depth = stack.findLastIndex((f) => f.open.value === want);
    if (depth === -1) {
      issues.push(diagnostic('unexpected_token', file, t.line, t.column, [t.value]));
      return;
    }
    for (const unclosed of stack.splice(depth + 1).reverse()) {
      const closer = CLOSER[unclosed.open.value] ?? '';
      issues.push(diagnostic('expected_token', file, t.line, t.column, [closer]));
    }
    const frame = stack.pop();
    if (frame?.control) controlCloses.add(i);
    if (frame?.control === 'switch-expression') switchHeads.add(t);
  }
}

function braceKind(
  prev: Token | undefined,
  switchHeads: WeakSet<Token>,
  header: 'class' | 'enum' | undefined,
  ctx: FrameKind | 'top',
): FrameKind {
  if (header) return header;
  if (!prev) return 'block';
  // `switch (x) {` holds arms separated by commas when the switch is an expression.
  if (prev.value === ')') return switchHeads.has(prev) ? 'literal' : 'block';
  if (prev.value === ':' && (ctx === 'block' || ctx === 'class' || ctx === 'top')) return 'block';
  if (prev.value === '>' || LITERAL_AFTER.has(prev.value)) return 'literal';
  return 'block';
}
