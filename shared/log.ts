/**
 * Structured JSON logs, one object per line. Values under keys that name a secret are
 * replaced before anything is written, so a careless `log.info('x', { headers })` cannot
 * leak a token.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const SECRET_KEY =
  /passw(or)?d|passphrase|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential|signature|^otp$|code_verifier/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const URL_PASSWORD = /(\w+:\/\/[^:/\s]+:)[^@\s]+@/g;

export const REDACTED = '[REDACTED]';

/** Strips secrets from strings: bearer credentials, JWTs and passwords inside URLs. */
export function redactString(value: string): string {
  return value
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/** Deep copy with secret-named keys replaced and secret-looking strings scrubbed. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (typeof value === 'string') return redactString(value);
  if (value instanceof Error) return errorFields(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: LogFields = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * What a log keeps of an error, so a 5xx can be diagnosed from its request id: the stack,
 * the SQLSTATE and constraint of a database error, and the cause chain, all scrubbed. Never
 * a query's parameters, which may hold anything a client sent.
 */
function errorFields(err: Error, depth: number): LogFields {
  const e = err as Error & Record<string, unknown>;
  const out: LogFields = { name: err.name, message: redactString(err.message) };
  for (const key of ['code', 'constraint_name', 'table_name', 'column_name', 'routine']) {
    if (typeof e[key] === 'string' || typeof e[key] === 'number') out[key] = e[key];
  }
  if (err.stack) out.stack = redactString(err.stack);
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1);
  return out;
}

/**
 * @example
 * const log = createLogger({ level: 'info', bindings: { fn: 'api' } });
 * log.info('request', { status: 200 });
 */
export function createLogger(
  opts: { level?: LogLevel; bindings?: LogFields; write?: (line: string) => void } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => console.log(line));
  const bindings = opts.bindings ?? {};
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const entry = { level, time: new Date().toISOString(), msg, ...bindings, ...fields };
    write(JSON.stringify(redact(entry)));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => createLogger({ ...opts, bindings: { ...bindings, ...more } }),
  };
}
