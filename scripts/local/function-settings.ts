import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { CONFIG_TOML } from '../emulators/auth/settings.ts';

/** Which functions the gateway guards with a JWT check, from `[functions.<name>] verify_jwt`. */
export function functionsRequiringJwt(configPath = CONFIG_TOML): Set<string> {
  const config = parse(readFileSync(configPath, 'utf8')) as {
    functions?: Record<string, { verify_jwt?: boolean }>;
  };
  return new Set(
    Object.entries(config.functions ?? {})
      .filter(([, f]) => f.verify_jwt !== false)
      .map(([name]) => name),
  );
}
