import { buildTestApp, FUNCTION_NAMES } from '../helpers/app.ts';

/** A JSON Schema as `@hono/zod-openapi` writes it (OpenAPI 3.1), loosely typed. */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

/** One operation of one function, as its OpenAPI document describes it. */
export interface Operation {
  fn: string;
  method: string;
  /** The path template after the function prefix: `/projects/{id}`. */
  path: string;
  params: Parameter[];
  /** The JSON request body, when the operation takes one. */
  body?: { required: boolean; schema: Schema };
  /** Whether the document says the operation needs a bearer token. */
  secured: boolean;
  /** Whether the document says its errors are RFC 6749 bodies (the OAuth token endpoints). */
  oauthErrors: boolean;
  /** Resolves `$ref`s against the operation's own document. */
  resolve(schema: Schema): Schema;
  /** `api POST /projects`, for test names and failure reports. */
  label: string;
}

type Doc = {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
};
type RawOperation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

const OAUTH_ERROR = '#/components/schemas/OAuthError';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function resolver(doc: Doc) {
  const resolve = (schema: Schema): Schema => {
    let s = schema;
    // A chain of refs, never a cycle in practice; bounded anyway.
    for (let i = 0; i < 10 && s.$ref; i++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = doc.components?.schemas?.[name] ?? {};
    }
    return s;
  };
  return resolve;
}

/**
 * Every operation of every function, read from the `/openapi.json` each app serves, so a
 * route added anywhere is fuzzed without touching the fuzzer.
 */
export async function loadOperations(): Promise<Operation[]> {
  const ops: Operation[] = [];
  for (const fn of FUNCTION_NAMES) {
    const res = await buildTestApp(fn).request('/openapi.json');
    if (res.status !== 200) throw new Error(`${fn}: /openapi.json answered ${res.status}`);
    const doc = (await res.json()) as Doc;
    const resolve = resolver(doc);
    for (const [fullPath, item] of Object.entries(doc.paths)) {
      const path = fullPath.replace(new RegExp(`^/${fn}(?=/|$)`), '') || '/';
      for (const [method, raw] of Object.entries(item)) {
        if (!METHODS.has(method)) continue;
        const json = raw.requestBody?.content?.['application/json']?.schema;
        ops.push({
          fn,
          method: method.toUpperCase(),
          path,
          params: (raw.parameters ?? []).map((p) => ({ ...p, required: p.required === true })),
          body: json ? { required: raw.requestBody?.required === true, schema: json } : undefined,
          secured: (raw.security ?? []).some((s) => 'bearerAuth' in s),
          oauthErrors: Object.values(raw.responses ?? {}).some((r) =>
            Object.values(r.content ?? {}).some((c) => c.schema?.$ref === OAUTH_ERROR),
          ),
          resolve,
          label: `${fn} ${method.toUpperCase()} ${path}`,
        });
      }
    }
  }
  return ops;
}
