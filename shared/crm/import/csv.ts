/**
 * A streaming CSV parser (RFC 4180: commas, double quotes, `""` inside quotes, CRLF or LF).
 * Text goes in piece by piece and whole records come out, so a file of any length is read
 * holding one record at a time; a record longer than `maxRecordChars` (an unterminated quote
 * swallowing the file, say) is refused instead of growing without bound.
 */

/** A record longer than the parser holds, at its record number (the header is 1). */
export class CsvRecordTooLong extends Error {
  readonly record: number;
  constructor(record: number) {
    super(`Record ${record} is too long`);
    this.record = record;
    this.name = 'CsvRecordTooLong';
  }
}

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  /** A quote just closed inside a quoted field: `"` next means a literal quote. */
  private quoteClosed = false;
  private size = 0;
  private count = 0;
  private readonly maxRecordChars: number;

  constructor(opts: { maxRecordChars?: number } = {}) {
    this.maxRecordChars = opts.maxRecordChars ?? 64 * 1024;
  }

  /** Feeds text; returns the records it completed. */
  push(text: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (++this.size > this.maxRecordChars) throw new CsvRecordTooLong(this.count + 1);
      if (this.quoted) {
        if (ch !== '"') this.field += ch;
        else if (text[i + 1] === '"') {
          this.field += '"';
          i++;
        } else if (i + 1 === text.length) {
          // The next piece decides whether this quote closes the field or escapes one.
          this.quoted = false;
          this.quoteClosed = true;
        } else this.quoted = false;
        continue;
      }
      if (this.quoteClosed) {
        this.quoteClosed = false;
        if (ch === '"') {
          this.field += '"';
          this.quoted = true;
          continue;
        }
      }
      if (ch === '"' && this.field === '') this.quoted = true;
      else if (ch === ',') this.endField();
      else if (ch === '\n') out.push(this.endRecord());
      else if (ch !== '\r') this.field += ch;
    }
    return out;
  }

  /** Ends the input; returns the last record when the file does not end with a newline. */
  end(): string[][] {
    if (this.field === '' && this.fields.length === 0 && !this.quoted) return [];
    return [this.endRecord()];
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
  }

  private endRecord(): string[] {
    this.endField();
    const record = this.fields;
    this.fields = [];
    this.size = 0;
    this.count++;
    return record;
  }
}
