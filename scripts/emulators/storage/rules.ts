import { ERRORS } from './errors.ts';

// The characters Storage accepts in keys and bucket names (S3-safe ones); '/' only in keys.
const VALID_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;
const RESERVED_BUCKET_SUFFIX = '--table-s3';

export function mustBeValidBucketName(name: string | undefined): asserts name is string {
  if (!name || name.length > 100 || !VALID_BUCKET.test(name)) throw ERRORS.invalidBucketName();
}

/** A new bucket's name: valid, untrimmed and not reserved for analytics buckets. */
export function mustBeUsableBucketName(name: string): void {
  if (name.trim() !== name) throw ERRORS.invalidBucketName();
  mustBeValidBucketName(name);
  if (name.endsWith(RESERVED_BUCKET_SUFFIX)) throw ERRORS.invalidBucketName();
}

export function mustBeValidKey(key: string | undefined): asserts key is string {
  if (!key || !VALID_KEY.test(key)) throw ERRORS.invalidKey(key ?? '');
}

export const isUuid = (value: string | undefined): value is string =>
  !!value &&
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(value);

/** The placeholder object the dashboard creates for an empty folder; it must hold 0 bytes. */
export const isEmptyFolder = (name: string) => name.endsWith('.emptyFolderPlaceholder');

/** A bucket's size limit as the API takes it: bytes, or "20GB" / "20MB" / "30KB" / "3B". */
export function parseFileSizeToBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(value);
  if (!m?.[1] || !m[2]) throw ERRORS.invalidFileSizeLimit();
  const n = Number(Number.parseFloat(m[1]).toPrecision(3));
  const unit = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 }[m[2].toLowerCase() as 'gb' | 'mb' | 'kb' | 'b'];
  return n * unit;
}

/** The patterns a bucket's `allowed_mime_types` may hold ("image/png", "image/*", "*"). */
export function mustBeValidMimePatterns(types: string[]): void {
  for (const type of types) {
    if (
      type.length > 1000 ||
      !/^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9-]+)?$|\*$/.test(type)
    ) {
      throw ERRORS.invalidMimeType(type);
    }
  }
}

/** An upload's content type must match one of the bucket's patterns (exact or `type/*`). */
export function mustBeAllowedMimeType(mimeType: string, allowed: string[]): void {
  const [type, subtype] = mimeType.split('/');
  if (subtype === undefined) throw ERRORS.invalidMimeType(mimeType);
  const ok = allowed.some((pattern) => {
    const [t, s] = pattern.split('/');
    return t === type && (s === '*' || s === subtype);
  });
  if (!ok) throw ERRORS.invalidMimeType(mimeType);
}
