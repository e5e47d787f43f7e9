import type { FieldError } from '../../errors.ts';
import { fieldPath, unsafeTextReason } from './text.ts';

/**
 * How deep a JSON body may nest (the body itself is level 1). Far beyond any schema here, and
 * far below what would exhaust a stack in whatever walks the value next (zod, JSON.stringify,
 * PostgreSQL's jsonb parser).
 */
export const MAX_JSON_DEPTH = 64;

/** At most this many field errors are reported for one body; one is enough to refuse it. */
const MAX_ERRORS = 20;

type Segment = string | number;

interface Frame {
  array: boolean;
  index: number;
  /** The raw slice (quotes included) of the key being read in an object, or -1 before one. */
  keyStart: number;
  keyEnd: number;
  expectKey: boolean;
}

const decodeKey = (raw: string): string => {
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.slice(1, -1);
  }
};

/**
 * The path to the first container nested deeper than `maxDepth` in JSON `text`, or
 * undefined. One pass over the characters with an explicit stack and no recursion, so a
 * body of a million `[` costs one linear scan, never a deep parse or a stack overflow. The
 * text need not be valid JSON; `JSON.parse` judges that afterwards.
 */
export function findTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): Segment[] | undefined {
  const frames: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22) break;
      }
      const top = frames.at(-1);
      if (top && !top.array && top.expectKey) {
        top.keyStart = start;
        top.keyEnd = i + 1;
        top.expectKey = false;
      }
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (frames.length >= maxDepth) {
        return frames.map((f) => (f.array ? f.index : decodeKey(text.slice(f.keyStart, f.keyEnd))));
      }
      frames.push({ array: ch === 0x5b, index: 0, keyStart: -1, keyEnd: -1, expectKey: true });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      frames.pop();
    } else if (ch === 0x2c /* , */) {
      const top = frames.at(-1);
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
  }
  return undefined;
}

/** A node of the walk: its value and how it was reached, kept as a chain until needed. */
interface Step {
  value: unknown;
  parent: Step | undefined;
  segment: Segment | undefined;
}

const segmentsOf = (step: Step): Segment[] => {
  const out: Segment[] = [];
  for (let s: Step | undefined = step; s?.segment !== undefined; s = s.parent) out.push(s.segment);
  return out.reverse();
};

/**
 * Why an object key cannot be accepted. `__proto__` (and `constructor.prototype`) are
 * harmless as JSON but become a prototype the moment a value is copied key by key, so the
 * copy silently loses the key and inherits what the client sent.
 */
function unsafeKeyReason(key: string, value: unknown): string | undefined {
  const text = unsafeTextReason(key);
  if (text) return `Key: ${text}`;
  if (key === '__proto__') return 'Key: __proto__ is reserved';
  if (
    key === 'constructor' &&
    value !== null &&
    typeof value === 'object' &&
    'prototype' in value
  ) {
    return 'Key: constructor.prototype is reserved';
  }
  return undefined;
}

/**
 * Every value in a parsed JSON body that the system cannot take as sent, as field errors
 * under `part` (`body.settings.theme`): strings and keys it cannot store, reserved keys, and
 * numbers beyond a double (`1e999` parses to Infinity, which would be stored as null).
 * Iterative, so depth costs no stack.
 */
export function findUnsafeValues(value: unknown, part = 'body'): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Step[] = [{ value, parent: undefined, segment: undefined }];
  while (stack.length > 0 && errors.length < MAX_ERRORS) {
    const step = stack.pop() as Step;
    const v = step.value;
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) errors.push({ path: fieldPath(part, segmentsOf(step)), message: reason });
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      errors.push({ path: fieldPath(part, segmentsOf(step)), message: 'Number out of range' });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], parent: step, segment: i });
      }
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const child: Step = {
          value: (v as Record<string, unknown>)[key],
          parent: step,
          segment: key,
        };
        const reason = unsafeKeyReason(key, child.value);
        if (reason) errors.push({ path: fieldPath(part, segmentsOf(child)), message: reason });
        stack.push(child);
      }
    }
  }
  return errors.slice(0, MAX_ERRORS);
}
