import type { SupabaseClient } from '@supabase/supabase-js';

/** The private bucket holding every file of a project's CRM (20261129003040_documents_bucket.sql). */
export const DOCUMENTS_BUCKET = 'documents';

/** How long a download link works: long enough to click, too short to share. */
export const LINK_SECONDS = 60;

/** Storage refused or failed; `status` is Storage's HTTP status when it answered one. */
export class StorageFailure extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'StorageFailure';
    this.status = status;
  }
}

/**
 * The `documents` bucket through Storage's API as one caller. Built with the caller's own
 * access token, so Storage's RLS on `storage.objects` (project membership) decides every call,
 * exactly as it would for the app calling Storage itself.
 */
export interface DocumentStore {
  upload(path: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** A signed download URL valid `seconds`; undefined when the caller may not read the object. */
  signedUrl(path: string, seconds: number): Promise<string | undefined>;
  /** Removes objects; returns the names Storage removed (those the caller may delete). */
  remove(paths: string[]): Promise<string[]>;
  /** Every object name under a folder (ending in `/`), recursively. */
  list(prefix: string): Promise<string[]>;
}

type StorageApi = SupabaseClient['storage'];

const failure = (what: string, error: unknown) => {
  const e = error as { message?: string; statusCode?: string | number; status?: number };
  const status = Number(e.statusCode ?? e.status) || undefined;
  return new StorageFailure(`Storage ${what} failed: ${e.message ?? 'unknown error'}`, status);
};

/**
 * A DocumentStore over supabase-js's Storage client.
 *
 * @example
 * const store = documentStore(services.storage(accessToken));
 * await store.upload(`${projectId}/clients/${clientId}/documents/${id}`, bytes, 'application/pdf');
 */
export function documentStore(storage: StorageApi): DocumentStore {
  const bucket = () => storage.from(DOCUMENTS_BUCKET);
  return {
    async upload(path, bytes, contentType) {
      const { error } = await bucket().upload(path, bytes, { contentType, upsert: false });
      if (error) throw failure('upload', error);
    },
    async signedUrl(path, seconds) {
      const { data, error } = await bucket().createSignedUrl(path, seconds);
      if (error) {
        const status = Number((error as { statusCode?: string }).statusCode);
        if (status === 400 || status === 404) return undefined;
        throw failure('signing', error);
      }
      return data.signedUrl;
    },
    async remove(paths) {
      const removed: string[] = [];
      for (let i = 0; i < paths.length; i += 100) {
        const { data, error } = await bucket().remove(paths.slice(i, i + 100));
        if (error) throw failure('remove', error);
        removed.push(...data.map((o) => o.name));
      }
      return removed;
    },
    async list(prefix) {
      const folder = prefix.replace(/\/+$/, '');
      const found: string[] = [];
      for (let offset = 0; ; offset += 1000) {
        const { data, error } = await bucket().list(folder, { limit: 1000, offset });
        if (error) throw failure('list', error);
        for (const entry of data) {
          const path = `${folder}/${entry.name}`;
          // Folders have no id; their files are listed under them.
          if (entry.id === null) found.push(...(await this.list(`${path}/`)));
          else found.push(path);
        }
        if (data.length < 1000) return found;
      }
    },
  };
}
