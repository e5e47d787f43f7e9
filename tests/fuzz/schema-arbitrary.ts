import fc from 'fast-check';
import type { Schema } from './openapi.ts';

/**
 * A value that stands for something of the fuzz world (an id or email of a caller, a project)
 * and is filled in when the request is sent, so a generated request can reach real rows,
 * and still does after the world has been rebuilt.
 */
export class Ref {
  readonly name: RefName;
  /** For `seen`: which of the ids answers have shown, counted from the newest. */
  readonly index: number;
  constructor(name: RefName, index = 0) {
    this.name = name;
    this.index = index;
  }
}

export const UUID_REFS = [
  'user.id',
  'victim.id',
  'admin.id',
  'user.project',
  'victim.project',
  'user.session',
  'victim.session',
  // An id a recent answer showed (a new project, factor, challenge or session).
  'seen',
] as const;
export const EMAIL_REFS = ['user.email', 'victim.email', 'admin.email'] as const;
export type RefName = (typeof UUID_REFS)[number] | (typeof EMAIL_REFS)[number];

const uuid = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...UUID_REFS).map((n) => new Ref(n)) },
  { weight: 2, arbitrary: fc.nat(15).map((i) => new Ref('seen', i)) },
  { weight: 1, arbitrary: fc.uuid() },
);
const email = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...EMAIL_REFS).map((n) => new Ref(n)) },
  { weight: 3, arbitrary: fc.emailAddress() },
  // Valid by one reading of the rules and not by another (label and part lengths, tags).
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `a@${'b'.repeat(64)}.com`,
      `${'a'.repeat(65)}@example.com`,
      'a+tag@example.com',
      'A@EXAMPLE.COM',
      'a@example.museum',
    ),
  },
);

/** Any small JSON value, for free-form objects (`settings`) and unknown fields. */
export const jsonValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

function stringFor(s: Schema): fc.Arbitrary<unknown> {
  switch (s.format) {
    case 'uuid':
      return uuid;
    case 'email':
      return email;
    case 'uri':
      return fc.webUrl();
    case 'date-time':
      // Every instant ISO 8601 can write with four digits; fast-check leans to the ends.
      return fc
        .date({
          min: new Date('0000-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
  }
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern));
    } catch {
      // A pattern JavaScript cannot read: plain strings still probe the route.
    }
  }
  const minLength = s.minLength ?? 0;
  // Valid-ish: short strings; the hostile mutations bring the long ones.
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 40, 40));
  return fc.string({ minLength, maxLength });
}

function numberFor(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e6);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e6);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true });
}

function objectFor(s: Schema, resolve: (s: Schema) => Schema, depth: number) {
  const props = Object.entries(s.properties ?? {});
  const known = fc.record(
    Object.fromEntries(props.map(([k, v]) => [k, valueFor(v, resolve, depth + 1)])),
    { requiredKeys: s.required ?? [] },
  );
  if (props.length === 0 && s.additionalProperties !== false) {
    return fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 4 });
  }
  return known;
}

/**
 * Values that (mostly) satisfy `schema`: the shape a well-meaning client sends, with ids
 * drawn from the fuzz world so requests reach rows that exist. Hostile variants are layered
 * on top by the mutations.
 */
export function valueFor(
  schema: Schema,
  resolve: (s: Schema) => Schema,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 6) return fc.constant(null);
  if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const variants = s.anyOf ?? s.oneOf;
  if (variants && variants.length > 0) {
    return fc.oneof(...variants.map((v) => valueFor(v, resolve, depth + 1)));
  }
  if (s.allOf && s.allOf.length > 0) {
    const merged: Schema = { properties: {}, required: [] };
    for (const part of s.allOf.map(resolve)) {
      Object.assign(merged, { ...part, properties: merged.properties, required: merged.required });
      Object.assign(merged.properties ?? {}, part.properties);
      merged.required?.push(...(part.required ?? []));
    }
    return valueFor(merged, resolve, depth + 1);
  }
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) {
    return fc.oneof(...types.map((t) => valueFor({ ...s, type: t }, resolve, depth)));
  }
  switch (types[0]) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return numberFor(s, true);
    case 'number':
      return numberFor(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? valueFor(s.items, resolve, depth + 1) : jsonValue, {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case 'object':
      return objectFor(s, resolve, depth);
    default:
      return s.properties ? objectFor(s, resolve, depth) : jsonValue;
  }
}
