/**
 * A decoder for PostgreSQL's `pgoutput` logical replication messages (protocol version 1,
 * text values). pgoutput sends a transaction only once it has committed, Begin to Commit.
 */
export interface Relation {
  id: number;
  schema: string;
  table: string;
  columns: Array<{ name: string; typeOid: number; key: boolean }>;
}

/** A column value as text; null for SQL NULL; undefined for an unchanged TOASTed value. */
export type Value = string | null | undefined;

export interface Change {
  kind: 'insert' | 'update' | 'delete';
  relation: Relation;
  /** The new row (insert, update). */
  row?: Value[];
  /** The old row or its replica identity key (update with REPLICA IDENTITY, delete). */
  old?: Value[];
}

export interface Transaction {
  /** The transaction's id (32 bits, as pgoutput sends it). */
  xid: number;
  /** Commit time, milliseconds since the Unix epoch. */
  commitTime: number;
  /** The WAL position after the commit: what the server may forget once processed. */
  endLsn: bigint;
  changes: Change[];
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Microseconds since 2000-01-01, as pgoutput counts, to milliseconds since 1970. */
export const pgTimeToMs = (micros: bigint) => PG_EPOCH_MS + Number(micros / 1000n);
export const msToPgTime = (ms: number) => BigInt(ms - PG_EPOCH_MS) * 1000n;

class Reader {
  at = 0;
  readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }
  u8() {
    return this.b[this.at++] as number;
  }
  i16() {
    const v = this.b.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32() {
    const v = this.b.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  i64() {
    const v = this.b.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  cstr() {
    const end = this.b.indexOf(0, this.at);
    const s = this.b.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  tuple(): Value[] {
    const n = this.i16();
    const values: Value[] = [];
    for (let i = 0; i < n; i++) {
      const kind = String.fromCharCode(this.u8());
      if (kind === 'n') values.push(null);
      else if (kind === 'u') values.push(undefined);
      else {
        const len = this.u32();
        values.push(this.b.toString('utf8', this.at, this.at + len));
        this.at += len;
      }
    }
    return values;
  }
}

/** Feeds pgoutput messages in; hands back each transaction when its Commit arrives. */
export class PgOutputDecoder {
  readonly relations = new Map<number, Relation>();
  private current: Transaction | undefined;

  decode(message: Buffer): Transaction | undefined {
    const r = new Reader(message);
    const tag = String.fromCharCode(r.u8());
    switch (tag) {
      case 'B': {
        r.i64(); // final LSN
        const commitTime = pgTimeToMs(r.i64());
        this.current = { xid: r.u32(), commitTime, endLsn: 0n, changes: [] };
        return undefined;
      }
      case 'C': {
        r.u8(); // flags
        r.i64(); // commit LSN
        const done = this.current;
        this.current = undefined;
        if (done) done.endLsn = r.i64();
        return done;
      }
      case 'R': {
        const id = r.u32();
        const schema = r.cstr();
        const table = r.cstr();
        r.u8(); // replica identity setting
        const n = r.i16();
        const columns: Relation['columns'] = [];
        for (let i = 0; i < n; i++) {
          const flags = r.u8();
          const name = r.cstr();
          const typeOid = r.u32();
          r.u32(); // type modifier
          columns.push({ name, typeOid, key: (flags & 1) === 1 });
        }
        this.relations.set(id, { id, schema, table, columns });
        return undefined;
      }
      case 'I':
      case 'U':
      case 'D':
        this.change(tag, r);
        return undefined;
      default:
        return undefined; // Type, Origin, Truncate, Message: nothing Realtime delivers
    }
  }

  private change(tag: string, r: Reader) {
    const relation = this.relations.get(r.u32());
    if (!relation || !this.current) return;
    const change: Change = {
      kind: tag === 'I' ? 'insert' : tag === 'U' ? 'update' : 'delete',
      relation,
    };
    let marker = String.fromCharCode(r.u8());
    if (marker === 'K' || marker === 'O') {
      change.old = r.tuple();
      if (tag === 'U') marker = String.fromCharCode(r.u8());
    }
    if (marker === 'N') change.row = r.tuple();
    this.current.changes.push(change);
  }
}
