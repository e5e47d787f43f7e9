import { type Diagnostic, diagnostic } from './diagnostics.ts';

export type TokenKind = 'ident' | 'keyword' | 'number' | 'string' | 'punct';

export interface Token {
  kind: TokenKind;
  value: string;
  /** 1-based, as the analyzer reports positions. */
  line: number;
  column: number;
  /** A line break separates this token from the previous one. */
  newlineBefore: boolean;
  /** For strings: identifiers and expressions inside `$name` and `${…}`. */
  embedded?: Token[];
}

/** Reserved words: never names of anything. */
export const RESERVED = new Set(
  'assert break case catch class const continue default do else enum extends false final finally for if in is new null rethrow return super switch this throw true try var void while with'.split(
    ' ',
  ),
);

// Longest first, so `?..` wins over `?.` and `=>` over `=`. `>>` is left as two `>` so that
// nested type arguments (`List<List<int>>`) close one at a time.
const PUNCT = [
  '...?',
  '??=',
  '?..',
  '...',
  '~/=',
  '<<=',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '=>',
  '??',
  '?.',
  '..',
  '<<',
  '~/',
  ...'{}()[];:,.=<>+-*/%&|^!~?@#',
];

const isIdentStart = (ch: string) => /[A-Za-z_$]/.test(ch);
const isIdentPart = (ch: string) => /[A-Za-z0-9_$]/.test(ch);

/**
 * Splits Dart source into tokens, reporting what the real scanner reports: unterminated
 * strings and comments, and characters that cannot start a token. Comments are dropped.
 */
export function lex(source: string, file: string): { tokens: Token[]; issues: Diagnostic[] } {
  const scanner = new Scanner(source, file);
  const tokens = scanner.run(0, false);
  return { tokens, issues: scanner.issues };
}

class Scanner {
  readonly issues: Diagnostic[] = [];
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private sawNewline = true;

  private readonly src: string;
  private readonly file: string;

  constructor(src: string, file: string) {
    this.src = src;
    this.file = file;
  }

  /** Tokens from `start`; with `untilBrace`, stops after the `}` that closes an interpolation. */
  run(start: number, untilBrace: boolean): Token[] {
    this.pos = start;
    const out: Token[] = [];
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.skipTrivia()) continue;
      const ch = this.src[this.pos] as string;
      if (untilBrace && ch === '}' && depth === 0) {
        this.pos++;
        return out;
      }
      const token = this.next(ch);
      if (!token) continue;
      if (token.value === '{') depth++;
      if (token.value === '}') depth--;
      out.push(token);
    }
    return out;
  }

  private make(kind: TokenKind, value: string, line: number, col: number): Token {
    const token = { kind, value, line, column: col, newlineBefore: this.sawNewline };
    this.sawNewline = false;
    return token;
  }

  private col(at = this.pos) {
    return at - this.lineStart + 1;
  }

  private newline(at: number) {
    this.line++;
    this.lineStart = at + 1;
    this.sawNewline = true;
  }

  /** Whitespace and comments; true when something was skipped. */
  private skipTrivia(): boolean {
    const ch = this.src[this.pos];
    if (ch === '\n') {
      this.newline(this.pos);
      this.pos++;
      return true;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\uFEFF') {
      this.pos++;
      return true;
    }
    if (ch === '/' && this.src[this.pos + 1] === '/') {
      while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      return true;
    }
    if (ch === '/' && this.src[this.pos + 1] === '*') {
      this.blockComment();
      return true;
    }
    return false;
  }

  /** Block comments nest in Dart. */
  private blockComment() {
    const line = this.line;
    const col = this.col();
    let depth = 0;
    while (this.pos < this.src.length) {
      const two = this.src.slice(this.pos, this.pos + 2);
      if (two === '/*') {
        depth++;
        this.pos += 2;
      } else if (two === '*/') {
        depth--;
        this.pos += 2;
        if (depth === 0) return;
      } else {
        if (this.src[this.pos] === '\n') this.newline(this.pos);
        this.pos++;
      }
    }
    this.issues.push(diagnostic('unterminated_multi_line_comment', this.file, line, col));
  }

  private next(ch: string): Token | undefined {
    const at = this.pos;
    const line = this.line;
    const col = this.col();
    const raw = ch === 'r' && (this.src[at + 1] === "'" || this.src[at + 1] === '"');
    if (ch === "'" || ch === '"' || raw) return this.string(raw, line, col);
    if (isIdentStart(ch)) {
      let end = at + 1;
      while (end < this.src.length && isIdentPart(this.src[end] as string)) end++;
      const word = this.src.slice(at, end);
      this.pos = end;
      return this.make(RESERVED.has(word) ? 'keyword' : 'ident', word, line, col);
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(this.src[at + 1] ?? ''))) {
      const m = /^(0[xX][0-9A-Fa-f_]+|[0-9_]*\.?[0-9_]+([eE][+-]?[0-9_]+)?)/.exec(
        this.src.slice(at),
      );
      const text = m?.[0] || ch;
      this.pos = at + text.length;
      return this.make('number', text, line, col);
    }
    for (const p of PUNCT) {
      if (this.src.startsWith(p, at)) {
        this.pos = at + p.length;
        return this.make('punct', p, line, col);
      }
    }
    this.pos++;
    this.issues.push(
      diagnostic('illegal_character', this.file, line, col, [String(ch.codePointAt(0))]),
    );
    return undefined;
  }

  /** A string literal, with its interpolations scanned as embedded tokens. */
  private string(raw: boolean, line: number, col: number): Token {
    const start = this.pos;
    if (raw) this.pos++;
    const quote = this.src[this.pos] as string;
    const triple = this.src.startsWith(quote.repeat(3), this.pos);
    const close = triple ? quote.repeat(3) : quote;
    this.pos += close.length;
    const embedded: Token[] = [];
    const saved = this.sawNewline;
    for (;;) {
      if (this.pos >= this.src.length || (!triple && this.src[this.pos] === '\n')) {
        this.issues.push(diagnostic('unterminated_string_literal', this.file, line, col));
        break;
      }
      if (this.src.startsWith(close, this.pos)) {
        this.pos += close.length;
        break;
      }
      const ch = this.src[this.pos] as string;
      if (ch === '\n') this.newline(this.pos);
      if (!raw && ch === '\\') {
        this.pos += 2;
        continue;
      }
      if (!raw && ch === '$' && this.src[this.pos + 1] === '{') {
        const inner = new Scanner(this.src, this.file);
        Object.assign(inner, { line: this.line, lineStart: this.lineStart });
        embedded.push(...inner.run(this.pos + 2, true));
        this.issues.push(...inner.issues);
        this.pos = inner.pos;
        this.line = inner.line;
        this.lineStart = inner.lineStart;
        continue;
      }
      if (!raw && ch === '$' && isIdentStart(this.src[this.pos + 1] ?? '')) {
        let end = this.pos + 2;
        while (end < this.src.length && /[A-Za-z0-9_]/.test(this.src[end] as string)) end++;
        const name = this.src.slice(this.pos + 1, end);
        if (!RESERVED.has(name) || name === 'this') {
          embedded.push({
            kind: RESERVED.has(name) ? 'keyword' : 'ident',
            value: name,
            line: this.line,
            column: this.col(this.pos + 1),
            newlineBefore: false,
          });
        }
        this.pos = end;
        continue;
      }
      this.pos++;
    }
    this.sawNewline = saved;
    const token = this.make('string', this.src.slice(start, this.pos), line, col);
    token.embedded = embedded;
    return token;
  }
}
