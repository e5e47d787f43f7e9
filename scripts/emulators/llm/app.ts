import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { type Clock, epochSeconds, systemClock } from '../../../shared/clock.ts';
import { EMULATOR_MODEL } from '../../../worker/llm/config.ts';
import { handleChatCompletion } from './chat.ts';
import { openAiError } from './errors.ts';

/** The one model the emulator serves. */
export { EMULATOR_MODEL };

export interface LlmEmulatorOptions {
  /** Where the API lives: `/v1` standalone, `/llm/v1` behind the local gateway. */
  basePath?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any key passes. */
  apiKey?: string;
  /** Characters of content per streamed chunk. */
  chunkSize?: number;
  clock?: Clock;
}

export interface LlmEmulator {
  app: Hono;
  fetch: (request: Request) => Response | Promise<Response>;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * An OpenAI-compatible chat completions API that answers any request with a small,
 * deterministic Flutter app in the worker's reply protocol, and fix requests with corrected
 * files; what it writes says it comes from an emulator. `GET /models`,
 * `POST /chat/completions` (streamed as server-sent events or not) and OpenAI's error
 * shapes, so a client built for the real API works against it unchanged.
 *
 * @example
 * const llm = createLlmEmulator({ basePath: '/llm/v1' });
 * gateway.services['/llm/v1'] = llm.fetch;
 */
export function createLlmEmulator(opts: LlmEmulatorOptions = {}): LlmEmulator {
  const clock = opts.clock ?? systemClock;
  const app = new Hono().basePath(opts.basePath ?? '/v1');
  app.use(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const key = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!key) {
      return openAiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    if (opts.apiKey && !sameSecret(key, opts.apiKey)) {
      return openAiError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' });
    }
    await next();
  });
  const model = {
    id: EMULATOR_MODEL,
    object: 'model',
    created: 1_735_689_600,
    owned_by: 'flutter-studio',
  };
  app.get('/models', (c) => c.json({ object: 'list', data: [model] }));
  app.get('/models/:id', (c) =>
    c.req.param('id') === EMULATOR_MODEL
      ? c.json(model)
      : openAiError(404, `The model '${c.req.param('id')}' does not exist`, {
          param: 'model',
          code: 'model_not_found',
        }),
  );
  app.post('/chat/completions', (c) =>
    handleChatCompletion(c.req.raw, {
      models: [EMULATOR_MODEL],
      chunkSize: opts.chunkSize ?? 48,
      created: () => epochSeconds(clock),
    }),
  );
  app.notFound(() => openAiError(404, 'Invalid URL', { code: 'unknown_url' }));
  app.onError((err) => {
    console.error('llm emulator:', err);
    return openAiError(500, 'The server had an error while processing your request.', {
      type: 'server_error',
    });
  });
  return { app, fetch: (request) => app.fetch(request) };
}
