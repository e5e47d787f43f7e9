/** Go's unit table for `time.ParseDuration`, in milliseconds. */
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The largest Go duration (int64 nanoseconds, about 292 years), in milliseconds. */
const MAX_MS = 9_223_372_036_854.775;

const quote = (s: string) => JSON.stringify(s);

/**
 * Parses a duration exactly as Go's `time.ParseDuration` accepts it ("300ms", "1h30m",
 * "-1.5h"; no days or years), returning milliseconds. Errors carry Go's message, which
 * GoTrue passes through to the client.
 */
export function parseGoDuration(input: string): number {
  const invalid = () => new Error(`time: invalid duration ${quote(input)}`);
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = m?.[1] ?? '';
    const fraction = m?.[2];
    if (!whole && !fraction) throw invalid();
    s = s.slice(m?.[0].length ?? 0);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (!unit) throw new Error(`time: missing unit in duration ${quote(input)}`);
    const scale = UNITS[unit];
    if (scale === undefined)
      throw new Error(`time: unknown unit ${quote(unit)} in duration ${quote(input)}`);
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
    if (total > MAX_MS) throw invalid();
  }
  return sign * total;
}
