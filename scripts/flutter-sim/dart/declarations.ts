import type { Token } from './lexer.ts';
import { CONTEXTUAL } from './names.ts';

/** One `import`, `export` or `part` directive. */
export interface Directive {
  keyword: 'import' | 'export' | 'part' | 'part of' | 'library';
  uri: string;
  token: Token;
  prefix?: string;
  show: string[];
}

/** The directives at the top of a file, and the indices of their tokens. */
export function readDirectives(tokens: Token[]): { directives: Directive[]; skip: Set<number> } {
  const directives: Directive[] = [];
  const skip = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const starts = ['import', 'export', 'part', 'library'].includes(t.value);
    // A directive follows a `;`, or a line break when the previous one lacks its `;`.
    const atStatementStart =
      i === 0 ||
      tokens[i - 1]?.value === ';' ||
      (t.newlineBefore && tokens[i - 1]?.kind === 'string');
    if (!starts || t.kind !== 'ident' || !atStatementStart) continue;
    let j = i + 1;
    let keyword = t.value as Directive['keyword'];
    if (keyword === 'part' && tokens[j]?.value === 'of') {
      keyword = 'part of';
      j++;
    }
    const uriToken = tokens[j];
    const directive: Directive = {
      keyword,
      uri: uriToken?.kind === 'string' ? unquote(uriToken.value) : '',
      token: uriToken ?? t,
      show: [],
    };
    let mode: 'show' | 'hide' | undefined;
    for (; j < tokens.length && tokens[j]?.value !== ';'; j++) {
      const w = tokens[j] as Token;
      if (j > i + 1 && w.newlineBefore && ['import', 'export', 'part'].includes(w.value)) {
        j--;
        break;
      }
      if (w.value === 'as') directive.prefix = tokens[j + 1]?.value;
      else if (w.value === 'show' || w.value === 'hide') mode = w.value;
      else if (mode === 'show' && w.kind === 'ident') directive.show.push(w.value);
    }
    for (let k = i; k <= j; k++) skip.add(k);
    if (keyword !== 'library') directives.push(directive);
    i = j;
  }
  return { directives, skip };
}

/** The text of a simple string literal, without quotes or a raw prefix. */
export function unquote(literal: string): string {
  const body = literal.replace(/^r/, '');
  const q = body.startsWith("'''") || body.startsWith('"""') ? 3 : 1;
  return body.slice(q, body.length - q);
}

const DECLARING_WORDS = new Set(
  'var final const void class enum mixin extension typedef late dynamic get set type covariant external static factory abstract sealed base interface required Function'.split(
    ' ',
  ),
);
const CONTROL = new Set(['if', 'while', 'switch', 'for']);

/**
 * Every name a file declares anywhere (classes, functions, fields, variables, parameters,
 * enum values), without scopes: the simulated analyzer checks that a name exists in the
 * file or its imports, not that it is visible where it is used.
 */
export function declaredNames(tokens: Token[]): Set<string> {
  const names = new Set<string>();
  const declare = (t: Token | undefined) => {
    if (t?.kind === 'ident') names.add(t.value);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const prev = tokens[i - 1];
    if (t.kind === 'ident' && prev) {
      const typeBefore =
        (prev.kind === 'ident' &&
          (!CONTEXTUAL.has(prev.value) || DECLARING_WORDS.has(prev.value))) ||
        (prev.kind === 'keyword' && DECLARING_WORDS.has(prev.value)) ||
        prev.value === '>' ||
        (prev.value === '?' && tokens[i - 2]?.kind === 'ident');
      // `final Foo x`, `List<int> x`, `Foo? x`, `const Foo(…)`: Foo is a type, x the name.
      const next = tokens[i + 1];
      const isType =
        next?.kind === 'ident' ||
        next?.value === '<' ||
        next?.value === '.' ||
        (next?.value === '?' && tokens[i + 2]?.kind === 'ident') ||
        (next?.value === '(' &&
          (prev.value === 'const' || prev.value === 'final' || prev.value === 'var'));
      if (typeBefore && !isType && tokens[i - 2]?.value !== '.') declare(t);
    }
    if (t.value === '(') {
      const close = matching(tokens, i);
      const after = tokens[close + 1]?.value;
      const before = tokens[i - 1];
      const lambda = after === '=>' || after === '{' || after === 'async' || after === 'sync';
      const pattern = before?.value === 'var' || before?.value === 'final';
      const isCatch = before?.value === 'catch';
      if ((lambda && !CONTROL.has(before?.value ?? '')) || pattern || isCatch) {
        declareParameters(tokens, i, close, declare);
        if (lambda && before?.kind === 'ident') declare(before);
      }
    }
    if (t.value === 'enum') declareEnumValues(tokens, i, declare);
  }
  return names;
}

/** `(a, b)`, `([a = 1])`, `({a})`: bare names in a parameter or pattern list. */
function declareParameters(
  tokens: Token[],
  open: number,
  close: number,
  declare: (t: Token | undefined) => void,
) {
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const v = tokens[k]?.value ?? '';
    if (v === '(' || v === '<') depth++;
    if (v === ')' || v === '>') depth--;
    if (depth > 0 || tokens[k]?.kind !== 'ident') continue;
    const next = tokens[k + 1]?.value ?? ')';
    const prev = tokens[k - 1]?.value ?? '(';
    if ([',', ')', '=', ']', '}'].includes(next) && ['(', ',', '[', '{'].includes(prev)) {
      declare(tokens[k]);
    }
  }
}

function declareEnumValues(tokens: Token[], at: number, declare: (t: Token | undefined) => void) {
  let k = at + 1;
  while (k < tokens.length && tokens[k]?.value !== '{') k++;
  for (k++; k < tokens.length; k++) {
    const v = tokens[k]?.value;
    if (v === '}' || v === ';') return;
    if (tokens[k]?.kind === 'ident' && ['{', ','].includes(tokens[k - 1]?.value ?? '')) {
      declare(tokens[k]);
    }
    if (v === '(') k = matching(tokens, k);
  }
}

/** Index of the bracket that closes the one at `open` (or the last token). */
export function matching(tokens: Token[], open: number): number {
  const o = tokens[open]?.value;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k]?.value === o) depth++;
    if (tokens[k]?.value === c && --depth === 0) return k;
  }
  return tokens.length - 1;
}
