/** The Auth hooks the emulator runs: Postgres functions only, as `supabase start` allows. */
export type HookKind =
  | 'custom_access_token'
  | 'password_verification_attempt'
  | 'mfa_verification_attempt';

/** An enabled hook: its URI and the function GoTrue calls, as a quoted SQL name. */
export interface Hook {
  uri: string;
  functionName: string;
}

export type HookSettings = Partial<Record<HookKind, Hook>>;

const KINDS: HookKind[] = [
  'custom_access_token',
  'password_verification_attempt',
  'mfa_verification_attempt',
];

/** GoTrue's check on the schema and function parts of a `pg-functions://` URI. */
const PG_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/**
 * GoTrue's `PopulateExtensibilityPoint`: `pg-functions://postgres/<schema>/<function>` calls
 * `"<schema>"."<function>"(input)`. Anything else stops start-up, as it stops GoTrue's.
 */
export function parseHookUri(kind: HookKind, uri: string): Hook {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`auth.hook.${kind}: invalid URI ${JSON.stringify(uri)}`);
  }
  if (url.protocol !== 'pg-functions:') {
    throw new Error(
      `auth.hook.${kind}: only pg-functions:// hooks are emulated, got ${JSON.stringify(uri)}`,
    );
  }
  const [, schema = '', fn = ''] = url.pathname.split('/');
  if (!PG_NAME.test(schema)) throw new Error(`auth.hook.${kind}: invalid schema name: ${schema}`);
  if (!PG_NAME.test(fn)) throw new Error(`auth.hook.${kind}: invalid table name: ${fn}`);
  return { uri, functionName: `"${schema}"."${fn}"` };
}

/**
 * Reads `[auth.hook.<kind>]` (`enabled`, `uri`) and GoTrue's
 * `GOTRUE_HOOK_<KIND>_ENABLED` / `GOTRUE_HOOK_<KIND>_URI`, the environment winning.
 * Like GoTrue, a hook runs only when it is enabled.
 */
export function readHooks(
  config: Record<string, unknown>,
  env: Record<string, string | undefined>,
): HookSettings {
  const out: HookSettings = {};
  for (const kind of KINDS) {
    const section = (config[kind] ?? {}) as { enabled?: unknown; uri?: unknown };
    const prefix = `GOTRUE_HOOK_${kind.toUpperCase()}`;
    const enabledEnv = env[`${prefix}_ENABLED`];
    const enabled =
      enabledEnv !== undefined && enabledEnv !== ''
        ? enabledEnv === 'true'
        : section.enabled === true;
    const uri = env[`${prefix}_URI`] || (typeof section.uri === 'string' ? section.uri : '');
    if (enabled && uri) out[kind] = parseHookUri(kind, uri);
  }
  return out;
}
