import { ERRORS } from './errors.ts';

type Where = string;

const fail = (message: string) => ERRORS.validation(message);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a request body or query against a route's schema, refusing what Storage's schema
 * validator refuses with the same wording ("body must have required property 'name'",
 * "body/limit must be >= 1"). The first problem wins, as there.
 */
export class Fields {
  private readonly obj: Record<string, unknown>;
  private readonly where: Where;
  /** Query strings arrive as text; Fastify coerces them to the schema's types. */
  private readonly coerce: boolean;

  private constructor(obj: Record<string, unknown>, where: Where, coerce: boolean) {
    this.obj = obj;
    this.where = where;
    this.coerce = coerce;
  }

  static of(value: unknown, where: Where = 'body'): Fields {
    if (!isObject(value)) throw fail(`${where} must be object`);
    return new Fields(value, where, false);
  }

  static query(url: URL): Fields {
    return new Fields(Object.fromEntries(url.searchParams), 'querystring', true);
  }

  /** Fails unless every key is present (checked before any property, as the validator does). */
  need(...keys: string[]): this {
    for (const key of keys) {
      if (this.obj[key] === undefined) {
        throw fail(`${this.where} must have required property '${key}'`);
      }
    }
    return this;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  size(): number {
    return Object.keys(this.obj).length;
  }

  string(key: string): string | undefined;
  string(key: string, opts: { nullable: true }): string | null | undefined;
  string(key: string, opts: { nullable?: boolean } = {}): string | null | undefined {
    const v = this.obj[key];
    if (v === undefined || (v === null && opts.nullable)) return v as null | undefined;
    if (typeof v !== 'string') throw fail(`${this.at(key)} must be string`);
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw fail(`${this.at(key)} must be boolean`);
    return v;
  }

  integer(key: string, opts: { min?: number } = {}): number | undefined {
    let v = this.obj[key];
    if (v === undefined) return undefined;
    if (this.coerce && typeof v === 'string' && v.trim() !== '') v = Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw fail(`${this.at(key)} must be integer`);
    if (opts.min !== undefined && v < opts.min)
      throw fail(`${this.at(key)} must be >= ${opts.min}`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!values.includes(v as T)) {
      throw fail(`${this.at(key)} must be equal to one of the allowed values`);
    }
    return v as T;
  }

  strings(key: string, opts: { min?: number; max?: number; nullable?: boolean } = {}) {
    const v = this.obj[key];
    if (v === undefined || (v === null && opts.nullable)) return v as null | undefined;
    if (!Array.isArray(v)) throw fail(`${this.at(key)} must be array`);
    if (opts.min !== undefined && v.length < opts.min) {
      throw fail(`${this.at(key)} must NOT have fewer than ${opts.min} items`);
    }
    if (opts.max !== undefined && v.length > opts.max) {
      throw fail(`${this.at(key)} must NOT have more than ${opts.max} items`);
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string') throw fail(`${this.at(key)}/${i} must be string`);
    });
    return v as string[];
  }

  object(key: string): Fields | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (!isObject(v)) throw fail(`${this.at(key)} must be object`);
    return new Fields(v, this.at(key), this.coerce);
  }

  /** An integer (bytes), a size such as "20MB", or null: a bucket's `file_size_limit`. */
  sizeLimit(key: string): number | string | null | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    if (
      typeof v === 'string' &&
      /^[0-9]+(?:\.[0-9]+)?(?:[gG][bB]|[mM][bB]|[kK][bB]|[bB])$/.test(v)
    ) {
      return v;
    }
    throw fail(`${this.at(key)} must match a schema in anyOf`);
  }

  private at(key: string): string {
    return `${this.where}/${key}`;
  }
}
