import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import { GraphErrorCode, type MediaInfo } from '../../../shared/whatsapp/graph-types.ts';
import { newGraphId } from './payloads.ts';

export interface StoredMedia {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Uint8Array;
  sha256: string;
}

/** Meta's supported media types and their size limits (Cloud API media reference). */
const LIMITS: Array<[RegExp, number]> = [
  [/^audio\/(aac|amr|mpeg|mp4|ogg)$/, 16 * 2 ** 20],
  [/^image\/(jpeg|png)$/, 5 * 2 ** 20],
  [/^image\/webp$/, 500 * 2 ** 10],
  [/^video\/(mp4|3gpp)$/, 16 * 2 ** 20],
  [
    /^(text\/plain|application\/(pdf|msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.openxmlformats-officedocument\.(wordprocessingml\.document|spreadsheetml\.sheet|presentationml\.presentation)))$/,
    100 * 2 ** 20,
  ],
];

/** How long a download URL from `GET /{media_id}` works (Meta: five minutes). */
export const MEDIA_URL_TTL_MS = 5 * 60_000;

/** Why an upload is refused, or null when Meta would take it. */
export function uploadRefusal(mimeType: string, size: number): string | null {
  const limit = LIMITS.find(([pattern]) => pattern.test(mimeType))?.[1];
  if (limit === undefined)
    return `Param file must be a file with a supported type, not ${mimeType}`;
  if (size === 0) return 'Param file must not be empty';
  if (size > limit) return `Param file is larger than ${limit} bytes for ${mimeType}`;
  return null;
}

export const mediaErrors = {
  unknown: (id: string) => ({
    code: GraphErrorCode.InvalidParameter,
    subcode: 33,
    type: 'GraphMethodException',
    title: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
  }),
  upload: (details: string) => ({ code: GraphErrorCode.MediaUploadError, details }),
};

/**
 * Uploaded media, kept in memory, and the signed short-lived URLs it is downloaded from.
 * The URLs carry an HMAC of the id and expiry under a key of this process, so only URLs the
 * emulator handed out work, and only until they expire by the emulator's clock.
 */
export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();
  private readonly urlKey = randomBytes(32);

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(phoneNumberId: string, mimeType: string, bytes: Uint8Array): StoredMedia {
    const item: StoredMedia = {
      id: newGraphId(),
      phoneNumberId,
      mimeType,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): StoredMedia | undefined {
    return this.items.get(id);
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  /** `GET /{media_id}`'s answer, with a URL under `base` (the emulator's public root). */
  info(item: StoredMedia, base: string): MediaInfo {
    const ext = String(Math.floor((this.clock.now() + MEDIA_URL_TTL_MS) / 1000));
    const url = new URL(`${base}/whatsapp_business/attachments/`);
    url.searchParams.set('mid', item.id);
    url.searchParams.set('ext', ext);
    url.searchParams.set('hash', this.sign(item.id, ext));
    return {
      messaging_product: 'whatsapp',
      url: url.toString(),
      mime_type: item.mimeType,
      sha256: item.sha256,
      file_size: item.bytes.byteLength,
      id: item.id,
    };
  }

  /** The media a download URL points at, if it is genuine and not expired. */
  resolve(url: URL): StoredMedia | undefined {
    const [mid, ext, hash] = ['mid', 'ext', 'hash'].map((k) => url.searchParams.get(k) ?? '');
    const expected = Buffer.from(this.sign(mid ?? '', ext ?? ''));
    const given = Buffer.from(hash ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(ext) * 1000 < this.clock.now()) return undefined;
    return this.items.get(mid ?? '');
  }

  private sign(id: string, ext: string): string {
    return createHmac('sha256', this.urlKey).update(`${id}:${ext}`).digest('base64url');
  }
}
