type Row = Record<string, unknown>;

// Storage answers through JSON schemas: only the schema's properties are sent, a null in
// a plain string property becomes "" and dates become ISO strings. Clients see that shape.
const asString = (v: unknown) =>
  v === null ? '' : v instanceof Date ? v.toISOString() : String(v);
const asNullableString = (v: unknown) =>
  v === null ? null : v instanceof Date ? v.toISOString() : String(v);

function pick(row: Row, props: Record<string, (v: unknown) => unknown>): Row {
  const out: Row = {};
  for (const [key, convert] of Object.entries(props)) {
    if (row[key] !== undefined) out[key] = convert(row[key]);
  }
  return out;
}

const same = (v: unknown) => v;

const BUCKET = {
  id: asString,
  name: asString,
  owner: asString,
  owner_id: asString,
  public: (v: unknown) => v === true,
  type: asString,
  file_size_limit: (v: unknown) => (v === null ? null : Number(v)),
  allowed_mime_types: same,
  created_at: asString,
  updated_at: asString,
};

const OBJECT = {
  name: asString,
  bucket_id: asString,
  owner: asString,
  owner_id: asString,
  version: asString,
  id: asNullableString,
  updated_at: asNullableString,
  created_at: asNullableString,
  last_accessed_at: asNullableString,
  metadata: same,
  user_metadata: same,
};

/** A storage.buckets row as Storage's bucket schema sends it. */
export const bucketJson = (row: Row) => pick(row, BUCKET);

/** A storage.objects row (or a listing entry) as Storage's object schema sends it. */
export const objectJson = (row: Row) => pick(row, OBJECT);
