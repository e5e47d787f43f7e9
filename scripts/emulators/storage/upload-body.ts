import { ERRORS } from './errors.ts';
import { isEmptyFolder, mustBeAllowedMimeType } from './rules.ts';

/** An upload as Storage reads it from a request, before any byte is stored. */
export interface UploadBody {
  mimeType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | undefined;
  /** The request's Content-Length, which policies see as `metadata.contentLength`. */
  declaredLength: number | undefined;
  bytes: AsyncIterable<Uint8Array>;
  /** The most bytes this upload may hold. */
  limit: number;
}

const MAX_USER_METADATA = 1024 * 1024;
// Room for the form's other fields (cacheControl, metadata) and part headers.
const FORM_OVERHEAD = MAX_USER_METADATA + 64 * 1024;

const contentLength = (request: Request) => {
  const n = Number(request.headers.get('content-length') ?? Number.NaN);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** `x-metadata`: base64 of a JSON object; anything else is ignored, as Storage ignores it. */
export function headerMetadata(value: string | null): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads an upload as storage-js sends it: a multipart form (a Blob or File, with
 * `cacheControl` and `metadata` fields) or the raw bytes with `content-type`,
 * `cache-control` and `x-metadata` headers. Refuses a type the bucket does not allow and a
 * body larger than `maxFileSize`, with Storage's own errors.
 */
export async function readUploadBody(
  request: Request,
  opts: { objectName: string; maxFileSize: number; allowedMimeTypes: string[] },
): Promise<UploadBody> {
  const limit = isEmptyFolder(opts.objectName) ? 0 : opts.maxFileSize;
  const checkType = (mime: string) => {
    if (opts.allowedMimeTypes.length > 0 && !isEmptyFolder(opts.objectName)) {
      mustBeAllowedMimeType(mime, opts.allowedMimeTypes);
    }
  };
  const declaredLength = contentLength(request);
  const type = request.headers.get('content-type') ?? '';

  if (type.startsWith('multipart/form-data')) {
    const form = await readForm(request, limit + FORM_OVERHEAD, declaredLength);
    const file = [...form.values()].find((v): v is File => typeof v !== 'string');
    if (!file) throw ERRORS.noContentProvided();
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : undefined;
    };
    const mimeType = field('contentType') || file.type || 'application/octet-stream';
    checkType(mimeType);
    const rawMetadata = field('metadata') ?? field('userMetadata');
    if (rawMetadata !== undefined && Buffer.byteLength(rawMetadata) > MAX_USER_METADATA) {
      throw ERRORS.entityTooLarge('user_metadata');
    }
    if (file.size > limit) throw ERRORS.entityTooLarge();
    const cache = field('cacheControl');
    return {
      mimeType,
      cacheControl: cache ? `max-age=${cache}` : 'no-cache',
      userMetadata: parseJsonObject(rawMetadata),
      declaredLength,
      bytes: file.stream() as unknown as AsyncIterable<Uint8Array>,
      limit,
    };
  }

  const mimeType = type || 'application/octet-stream';
  checkType(mimeType);
  if (declaredLength !== undefined && declaredLength > limit) throw ERRORS.entityTooLarge();
  return {
    mimeType,
    cacheControl: request.headers.get('cache-control') ?? 'no-cache',
    userMetadata: headerMetadata(request.headers.get('x-metadata')),
    declaredLength,
    bytes: (request.body ?? emptyBody()) as unknown as AsyncIterable<Uint8Array>,
    limit,
  };
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a multipart body held in memory, but never more than `cap` bytes of it: past
 * that the file cannot fit the limit anyway.
 */
async function readForm(request: Request, cap: number, declared: number | undefined) {
  if (declared !== undefined && declared > cap) throw ERRORS.entityTooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (request.body ?? emptyBody()) as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > cap) throw ERRORS.entityTooLarge();
    chunks.push(chunk);
  }
  try {
    const headers = { 'content-type': request.headers.get('content-type') ?? '' };
    return await new Response(Buffer.concat(chunks), { headers }).formData();
  } catch {
    throw ERRORS.noContentProvided();
  }
}
