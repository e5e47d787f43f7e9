import { z } from 'zod';
import { parseEnv } from '../../shared/config.ts';
import { LlmClient, type LlmClientOptions } from './client.ts';

/** The model id the LLM emulator serves; the default when LLM_MODEL is not set. */
export const EMULATOR_MODEL = 'flutter-studio-emulator';

/** The worker's LLM settings. LLM_BASE_URL points at any OpenAI-compatible API. */
export const llmEnvSchema = z.object({
  LLM_BASE_URL: z.url({ message: 'must be an http(s) URL, e.g. https://api.openai.com/v1' }),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).default(EMULATOR_MODEL),
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
});
export type LlmEnv = z.infer<typeof llmEnvSchema>;

/**
 * A client built from the environment (parsed once, naming every bad variable).
 *
 * @example
 * const llm = llmClientFromEnv(process.env);
 */
export function llmClientFromEnv(
  env: Record<string, string | undefined>,
  deps: Pick<LlmClientOptions, 'fetch' | 'clock' | 'sleep'> = {},
): LlmClient {
  const config = parseEnv(llmEnvSchema, env);
  return new LlmClient({
    baseUrl: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    ...deps,
  });
}
