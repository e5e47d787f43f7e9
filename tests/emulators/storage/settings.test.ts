import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadStorageSettings,
  parseConfigSize,
} from '../../../scripts/emulators/storage/settings.ts';

describe('Storage settings from supabase/config.toml', () => {
  it("reads the project's [storage] file_size_limit (50MiB) in bytes", () => {
    expect(loadStorageSettings()).toEqual({
      fileSizeLimit: 50 * 1024 * 1024,
      signedUploadExpiresIn: 7200,
    });
  });

  it('reads sizes as the Supabase CLI does, in binary units', () => {
    expect(parseConfigSize('50MiB')).toBe(52_428_800);
    expect(parseConfigSize('50MB')).toBe(52_428_800);
    expect(parseConfigSize('1.5 GiB')).toBe(1_610_612_736);
    expect(parseConfigSize('512')).toBe(512);
    expect(parseConfigSize(2048)).toBe(2048);
    expect(() => parseConfigSize('lots')).toThrow('Not a size: "lots"');
  });

  it('takes another config file and defaults a missing limit to 50MiB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'storage-config-'));
    await writeFile(join(dir, 'a.toml'), '[storage]\nfile_size_limit = "5MiB"\n');
    await writeFile(join(dir, 'b.toml'), 'project_id = "x"\n');
    expect(loadStorageSettings({ configPath: join(dir, 'a.toml') }).fileSizeLimit).toBe(5_242_880);
    expect(loadStorageSettings({ configPath: join(dir, 'b.toml') }).fileSizeLimit).toBe(52_428_800);
  });
});
