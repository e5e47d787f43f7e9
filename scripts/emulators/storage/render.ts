import type { Ctx } from './context.ts';
import { ERRORS } from './errors.ts';
import type { ObjectRow } from './queries/objects.ts';

type Meta = Record<string, unknown>;

const text = (m: Meta, key: string) =>
  typeof m[key] === 'string' ? (m[key] as string) : undefined;

// Storage never lets stored HTML render as HTML from its own origin.
const contentType = (mime: string | undefined) =>
  mime?.includes('text/html') ? 'text/plain' : (mime ?? 'application/octet-stream');

function lastModified(m: Meta): Date | undefined {
  const v = m.lastModified;
  const d = typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/** `?download` / `?download=name`: serve as an attachment, as Storage does. */
function disposition(headers: Headers, download: string | null) {
  if (download === null) return;
  if (download === '') {
    headers.set('Content-Disposition', 'attachment;');
    return;
  }
  const name = encodeURIComponent(download);
  headers.set('Content-Disposition', `attachment; filename=${name}; filename*=UTF-8''${name}`);
}

/** Parses `Range: bytes=a-b` (or `-n`) against a size; Storage answers a bad one with 416. */
function parseRange(header: string, size: number): { start: number; end: number } {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!m || size <= 0 || (!m[1] && !m[2])) throw ERRORS.invalidRange();
  if (!m[1]) {
    const suffix = Number(m[2]);
    if (!Number.isSafeInteger(suffix) || suffix <= 0) throw ERRORS.invalidRange();
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : size - 1;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || start >= size) {
    throw ERRORS.invalidRange();
  }
  return { start, end: Math.min(end, size - 1) };
}

/**
 * Serves an object's bytes with Storage's headers: ETag, Last-Modified, Cache-Control (or
 * Expires for a signed URL), ranges, conditional requests and attachments.
 */
export async function renderAsset(
  ctx: Ctx,
  obj: ObjectRow,
  opts: { expires?: Date } = {},
): Promise<Response> {
  const size = await ctx.deps.files.size(obj.version);
  if (size === undefined || !obj.version) {
    // A row whose bytes are gone: Storage's answer to the backend's 404.
    return Response.json(
      {
        error: 'Not found',
        message: 'The resource was not found',
        statusCode: '404',
        code: 'NoSuchKey',
      },
      { status: 400, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  const m = obj.metadata ?? {};
  const eTag = text(m, 'eTag');
  const modified = lastModified(m);
  const headers = new Headers({ 'Accept-Ranges': 'bytes', 'X-Robots-Tag': 'none' });
  headers.set('Content-Type', contentType(text(m, 'mimetype')));
  if (eTag) headers.set('ETag', eTag);
  if (modified) headers.set('Last-Modified', modified.toUTCString());
  if (opts.expires) headers.set('Expires', opts.expires.toUTCString());
  else headers.set('Cache-Control', text(m, 'cacheControl') ?? 'no-cache');

  const req = ctx.request.headers;
  const since = Date.parse(req.get('if-modified-since') ?? '');
  const notModified =
    (eTag !== undefined && req.get('if-none-match') === eTag) ||
    (modified !== undefined &&
      !Number.isNaN(since) &&
      Math.floor(modified.getTime() / 1000) * 1000 <= since);
  if (notModified) return new Response(null, { status: 304, headers });

  disposition(headers, ctx.url.searchParams.get('download'));
  const rangeHeader = req.get('range');
  if (rangeHeader) {
    const range = parseRange(rangeHeader, size);
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    headers.set('Content-Length', String(range.end - range.start + 1));
    return new Response(ctx.deps.files.read(obj.version, range), { status: 206, headers });
  }
  headers.set('Content-Length', String(size));
  return new Response(ctx.deps.files.read(obj.version), { status: 200, headers });
}

/** A HEAD on an object: its headers from the recorded metadata, no body. */
export function renderHead(obj: ObjectRow): Response {
  const m = obj.metadata ?? {};
  const headers = new Headers({ 'Accept-Ranges': 'bytes', 'X-Robots-Tag': 'none' });
  headers.set('Content-Type', contentType(text(m, 'mimetype')));
  const eTag = text(m, 'eTag');
  if (eTag) headers.set('ETag', eTag);
  const modified = lastModified(m);
  if (modified) headers.set('Last-Modified', modified.toUTCString());
  const cache = text(m, 'cacheControl');
  if (cache) headers.set('Cache-Control', cache);
  if (typeof m.contentLength === 'number') headers.set('Content-Length', String(m.contentLength));
  return new Response(null, { status: 200, headers });
}

/** `GET /object/info/…`: the object's description as JSON. */
export function renderInfo(obj: ObjectRow): Response {
  const m = obj.metadata ?? {};
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  return Response.json(
    {
      id: obj.id,
      name: obj.name,
      version: obj.version,
      bucket_id: obj.bucket_id,
      size: typeof m.size === 'number' ? m.size : null,
      content_type: text(m, 'mimetype') ?? null,
      cache_control: text(m, 'cacheControl') ?? null,
      etag: text(m, 'eTag') ?? null,
      metadata: obj.user_metadata,
      last_modified: iso(obj.updated_at),
      created_at: iso(obj.created_at),
    },
    { headers: eTag(m) },
  );
}

const eTag = (m: Meta): Record<string, string> => {
  const v = text(m, 'eTag');
  return v ? { ETag: v } : {};
};
