import { createClient } from '@supabase/supabase-js';

/** Where the CRM keeps files: Supabase Storage's private `documents` bucket. */
export interface DocumentStorage {
  upload(path: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Removes every object under `prefix` (a folder, ending in `/`); returns how many. */
  removeFolder(prefix: string): Promise<number>;
}

export const DOCUMENTS_BUCKET = 'documents';

/**
 * The `documents` bucket through Storage's API with the service-role key (storage.objects rows
 * cannot be written or deleted with SQL; the bytes are not in the database).
 *
 * @example
 * const storage = supabaseStorage(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
 */
export function supabaseStorage(
  url: string,
  serviceRoleKey: string,
  fetch?: typeof globalThis.fetch,
): DocumentStorage {
  const client = createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(fetch ? { global: { fetch } } : {}),
  });
  const bucket = () => client.storage.from(DOCUMENTS_BUCKET);

  async function files(folder: string): Promise<string[]> {
    const found: string[] = [];
    for (let offset = 0; ; offset += 1000) {
      const { data, error } = await bucket().list(folder, { limit: 1000, offset });
      if (error) throw new Error(`Storage list failed: ${error.message}`);
      for (const entry of data) {
        const path = `${folder}/${entry.name}`;
        // Folders have no id; their files are listed under them.
        if (entry.id === null) found.push(...(await files(path)));
        else found.push(path);
      }
      if (data.length < 1000) return found;
    }
  }

  return {
    async upload(path, bytes, contentType) {
      const { error } = await bucket().upload(path, bytes, { contentType, upsert: true });
      if (error) throw new Error(`Storage upload failed: ${error.message}`);
    },
    async removeFolder(prefix) {
      const all = await files(prefix.replace(/\/+$/, ''));
      for (let i = 0; i < all.length; i += 100) {
        const { error } = await bucket().remove(all.slice(i, i + 100));
        if (error) throw new Error(`Storage remove failed: ${error.message}`);
      }
      return all.length;
    },
  };
}
