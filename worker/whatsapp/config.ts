import { z } from 'zod';
import { parseEnv } from '../../shared/config.ts';
import {
  DEFAULT_GRAPH_API_BASE_URL,
  DEFAULT_GRAPH_API_VERSION,
  GRAPH_API_VERSION_FORMAT,
} from '../../shared/whatsapp/graph-types.ts';

/** Where the worker reaches Meta's Graph API. */
export const graphEnvSchema = z.object({
  /** Meta's, or the local emulator's (`http://127.0.0.1:54321/graph` under `npm run dev`). */
  GRAPH_API_BASE_URL: z
    .url({ message: 'must be an http(s) URL' })
    .default(DEFAULT_GRAPH_API_BASE_URL),
  GRAPH_API_VERSION: z
    .string()
    .regex(GRAPH_API_VERSION_FORMAT, { message: 'must be a Graph API version such as v25.0' })
    .default(DEFAULT_GRAPH_API_VERSION),
});

export interface GraphConfig {
  /** Without a trailing slash; may have a path (the emulator lives under `/graph`). */
  baseUrl: string;
  version: string;
}

/**
 * The Graph API settings from the worker's environment, defaults filled in.
 *
 * @example
 * const config = graphConfigFromEnv(process.env);
 */
export function graphConfigFromEnv(env: Record<string, string | undefined>): GraphConfig {
  const parsed = parseEnv(graphEnvSchema, env);
  return {
    baseUrl: parsed.GRAPH_API_BASE_URL.replace(/\/+$/, ''),
    version: parsed.GRAPH_API_VERSION,
  };
}
