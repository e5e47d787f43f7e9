import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { CONFIG_TOML } from '../auth/settings.ts';

/** The Storage settings the emulator honours. */
export interface StorageSettings {
  /** The largest object anyone may upload, in bytes (`[storage] file_size_limit`). */
  fileSizeLimit: number;
  /** How long a signed upload URL stays valid, in seconds (Supabase: two hours). */
  signedUploadExpiresIn: number;
}

const UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * A size as the Supabase CLI reads it in config.toml ("50MiB", "5GB", "1024"): binary
 * units, so "50MB" and "50MiB" are both 52,428,800 bytes.
 */
export function parseConfigSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m?.[1] || unit === undefined) throw new Error(`Not a size: ${JSON.stringify(value)}`);
  return Math.floor(Number(m[1]) * unit);
}

/**
 * Reads `[storage]` from supabase/config.toml (the key the Supabase CLI reads), so the
 * local stack and `supabase start` take the same limit.
 */
export function loadStorageSettings(opts: { configPath?: string } = {}): StorageSettings {
  const toml = parse(readFileSync(opts.configPath ?? CONFIG_TOML, 'utf8')) as {
    storage?: { file_size_limit?: string | number };
  };
  return {
    fileSizeLimit: parseConfigSize(toml.storage?.file_size_limit ?? '50MiB'),
    signedUploadExpiresIn: 7200,
  };
}
