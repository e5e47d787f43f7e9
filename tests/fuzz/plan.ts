import fc from 'fast-check';
import {
  Big,
  contentType,
  hostileHeaders,
  hostileString,
  jsonLiteral,
  rawBody,
  rawUrlPiece,
  wrongValue,
} from './hostile.ts';
import type { Operation, Parameter } from './openapi.ts';
import { jsonValue, Ref, valueFor } from './schema-arbitrary.ts';

/** A URL piece: a value to percent-encode, or raw text sent exactly as written. */
export type Piece = { value: unknown } | { raw: string };

/** A field name: one the schema knows, any other, or an unknown one far too long. */
export type Key = string | Big;

/** How a JSON body is spoiled, if at all. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'set'; key: Key; value: unknown }
  | { kind: 'drop'; key: Key }
  | { kind: 'deep'; key: Key; depth: number; open: '[' | '{' }
  | { kind: 'literal'; key: Key; text: string }
  | { kind: 'root'; value: unknown }
  | { kind: 'proto'; key: '__proto__' | 'constructor' | 'prototype' };

export type BodyPlan =
  | { kind: 'json'; value: unknown; mutation: Mutation; contentType: string | undefined }
  | { kind: 'raw'; contentType: string | undefined; body: string | Uint8Array<ArrayBuffer> };

/** Everything about one generated request except who sends it. */
export interface Plan {
  method: string;
  path: Record<string, Piece>;
  query: Array<[Piece, Piece]>;
  body?: BodyPlan;
  headers: Record<string, string>;
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND'];

function pieceFor(p: Parameter, op: Operation): fc.Arbitrary<Piece> {
  return fc.oneof(
    { weight: 6, arbitrary: valueFor(p.schema, op.resolve).map((value) => ({ value })) },
    { weight: 1, arbitrary: wrongValue.map((value) => ({ value })) },
    { weight: 1, arbitrary: rawUrlPiece.map((raw) => ({ raw })) },
  );
}

function queryFor(op: Operation): fc.Arbitrary<Array<[Piece, Piece]>> {
  const declared = op.params.filter((p) => p.in === 'query');
  const entries = declared.map((p) =>
    fc.tuple(fc.constant<Piece>({ value: p.name }), pieceFor(p, op)),
  );
  const known = fc
    .subarray(entries)
    .chain((picked) =>
      picked.length ? fc.tuple(...picked) : fc.constant([] as Array<[Piece, Piece]>),
    );
  const unknownName = fc.oneof(
    fc.string({ maxLength: 10 }).map((value): Piece => ({ value })),
    rawUrlPiece.map((raw): Piece => ({ raw })),
    fc.constantFrom<Piece>({ value: '__proto__' }, { raw: 'limit[]' }, { value: 'limit' }),
  );
  const extra = fc.array(
    fc.tuple(
      unknownName,
      fc.oneof(hostileString, fc.string()).map((value): Piece => ({ value })),
    ),
    { maxLength: 2 },
  );
  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: fc.constant([]) }),
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }),
    )
    .map(([a, b]) => [...a, ...b]);
}

function mutationFor(op: Operation): fc.Arbitrary<Mutation> {
  const schema = op.body ? op.resolve(op.body.schema) : {};
  const keys = Object.keys(schema.properties ?? {});
  const unknown: fc.Arbitrary<Key> = fc.oneof(
    { weight: 3, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom(121, 5_000, 100_001).map((n) => new Big('k', n)) },
  );
  const key: fc.Arbitrary<Key> = keys.length
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...keys) },
        { weight: 1, arbitrary: unknown },
      )
    : unknown;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
    // An unknown field with an ordinary value: only its name is wrong.
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('set' as const), key: unknown, value: jsonValue }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: wrongValue }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), key }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        key,
        depth: fc.oneof(fc.integer({ min: 30, max: 100 }), fc.constantFrom(1_000, 5_000, 50_000)),
        open: fc.constantFrom('[' as const, '{' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('root' as const), value: wrongValue }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('literal' as const), key, text: jsonLiteral }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('proto' as const),
        key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const),
      }),
    },
  );
}

function bodyFor(op: Operation): fc.Arbitrary<BodyPlan | undefined> {
  const schemaValue = op.body ? valueFor(op.body.schema, op.resolve) : jsonValue;
  const json = fc.record({
    kind: fc.constant('json' as const),
    value: schemaValue,
    mutation: mutationFor(op),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: contentType },
    ),
  });
  const raw = fc.record({ kind: fc.constant('raw' as const), contentType, body: rawBody });
  return op.body
    ? fc.oneof(
        { weight: 8, arbitrary: json },
        { weight: 2, arbitrary: raw },
        { weight: op.body.required ? 1 : 2, arbitrary: fc.constant(undefined) },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: json },
        { weight: 1, arbitrary: raw },
      );
}

/** What a well-meaning client sends: the documented method, parameters and JSON body. */
function validPlan(op: Operation): fc.Arbitrary<Plan> {
  const value = (p: Parameter) => valueFor(p.schema, op.resolve).map((v): Piece => ({ value: v }));
  // A list's `cursor` is opaque and signed (shared/http/list.ts): a made-up one is always
  // refused, so well-meaning requests leave it out; the hostile ones still send junk.
  const query = op.params
    .filter((p) => p.in === 'query' && p.name !== 'cursor')
    .map((p) => fc.tuple(fc.constant<Piece>({ value: p.name }), value(p)));
  return fc.record({
    method: fc.constant(op.method),
    path: fc.record(
      Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name, value(p)])),
    ),
    query: fc
      .subarray(query)
      .chain((picked) => (picked.length ? fc.tuple(...picked) : fc.constant([]))),
    body: op.body
      ? valueFor(op.body.schema, op.resolve).map(
          (v): BodyPlan => ({
            kind: 'json',
            value: v,
            mutation: { kind: 'none' },
            contentType: 'application/json',
          }),
        )
      : fc.constant(undefined),
    headers: fc.constant({}),
  });
}

/** Requests with something wrong somewhere: any part may be hostile, several at once. */
function hostilePlan(op: Operation): fc.Arbitrary<Plan> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  return fc.record({
    method: fc.oneof(
      { weight: 10, arbitrary: fc.constant(op.method) },
      { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
    ),
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pieceFor(p, op)]))),
    query: queryFor(op),
    body: bodyFor(op),
    headers: fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: hostileHeaders },
    ),
  });
}

/** Valid-ish and hostile requests for one operation, half and half. */
export function planFor(op: Operation): fc.Arbitrary<Plan> {
  return fc.oneof(validPlan(op), hostilePlan(op));
}

/** Replaces `Ref`s and `Big`s with the real values, deeply (generated values are shallow). */
export function materialize(value: unknown, lookup: (ref: Ref) => string): unknown {
  if (value instanceof Ref) return lookup(value);
  if (value instanceof Big) return value.toString();
  if (Array.isArray(value)) return value.map((v) => materialize(v, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, lookup)]));
  }
  return value;
}
