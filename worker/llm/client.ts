import { type Clock, systemClock } from '../../shared/clock.ts';
import { errorFromResponse, LlmError } from './errors.ts';
import type { ChatMessage } from './protocol.ts';
import { backoffDelay, retryAfterMs, sleepFor } from './retry.ts';
import { readSse } from './sse.ts';

export interface LlmClientOptions {
  /** The API root, e.g. `https://api.openai.com/v1` or the emulator's `…/llm/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Longest one attempt may take, headers to last byte. Default 120 s. */
  timeoutMs?: number;
  /** Longest silence between streamed chunks. Default 30 s. */
  idleTimeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, network errors and timeouts. Default 3. */
  maxRetries?: number;
  /** Exponential backoff: first delay and cap. Default 500 ms and 8 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Cap on a server's Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  /** How to wait between attempts (tests pass one that records and returns at once). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Stream the answer (default); deltas reach `onDelta` as they arrive. */
  stream?: boolean;
  temperature?: number;
  maxTokens?: number;
  /** Ask for a JSON object (`response_format: {type: "json_object"}`). */
  json?: boolean;
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  /**
   * Before each retry. Deltas already reported belong to a failed attempt: a consumer that
   * shows them should start over.
   */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  delayMs: number;
  error: LlmError;
}

export interface ChatResult {
  content: string;
  finishReason: string | null;
  model: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  attempts: number;
}

interface Completion {
  model?: string;
  choices?: Array<{
    delta?: { content?: string | null; refusal?: string | null };
    message?: { content?: string | null; refusal?: string | null };
    finish_reason?: string | null;
  }>;
  usage?: ChatResult['usage'] | null;
  error?: { message?: string; type?: string; code?: string | null };
}

/**
 * A client for OpenAI-compatible chat completions with streaming, per-attempt and idle
 * timeouts, cancellation, and retries with exponential backoff on 429 (honouring
 * Retry-After), 5xx, network errors and timeouts; other 4xx fail at once.
 *
 * @example
 * const llm = new LlmClient({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL });
 * const { content } = await llm.chat({ messages, json: true, signal, onDelta: (t) => out(t) });
 */
export class LlmClient {
  private readonly opts: Required<Omit<LlmClientOptions, 'apiKey'>> & { apiKey?: string };

  constructor(opts: LlmClientOptions) {
    this.opts = {
      timeoutMs: 120_000,
      idleTimeoutMs: 30_000,
      maxRetries: 3,
      backoff: { initialMs: 500, maxMs: 8_000 },
      maxRetryAfterMs: 60_000,
      fetch: globalThis.fetch.bind(globalThis),
      clock: systemClock,
      sleep: sleepFor,
      random: Math.random,
      ...opts,
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    };
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.attempt(req);
        return { ...result, attempts: attempt };
      } catch (e) {
        const error = this.asLlmError(e, req.signal);
        error.attempts = attempt;
        if (!error.retryable || attempt > this.opts.maxRetries) throw error;
        const delayMs =
          error.retryAfterMs ?? backoffDelay(attempt, this.opts.backoff, this.opts.random);
        req.onRetry?.({ attempt: attempt + 1, delayMs, error });
        try {
          await this.opts.sleep(delayMs, req.signal);
        } catch {
          throw abortedError(attempt);
        }
      }
    }
  }

  private asLlmError(e: unknown, signal?: AbortSignal): LlmError {
    if (signal?.aborted) return abortedError();
    if (e instanceof LlmError) return e;
    return new LlmError('network', `LLM API unreachable: ${(e as Error).message}`, {
      retryable: true,
      cause: e,
    });
  }

  private async attempt(req: ChatRequest): Promise<Omit<ChatResult, 'attempts'>> {
    if (req.signal?.aborted) throw abortedError();
    const controller = new AbortController();
    let timedOut: 'total' | 'idle' | undefined;
    const stopFor = (why: 'total' | 'idle') => () => {
      timedOut = why;
      controller.abort();
    };
    const onAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const total = setTimeout(stopFor('total'), this.opts.timeoutMs);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(stopFor('idle'), this.opts.idleTimeoutMs);
    };
    try {
      const res = await this.send(req, controller.signal);
      if (!res.ok) {
        const error = errorFromResponse(res.status, await res.text());
        if (res.status === 429) {
          error.retryAfterMs = retryAfterMs(
            res.headers,
            this.opts.clock,
            this.opts.maxRetryAfterMs,
          );
        }
        throw error;
      }
      const streamed = (res.headers.get('content-type') ?? '').includes('text/event-stream');
      if (!streamed || !res.body)
        return readWhole((await res.json()) as Completion, this.opts.model, req);
      touch();
      return await readStream(res.body, touch, controller.signal, this.opts.model, req);
    } catch (e) {
      if (req.signal?.aborted) throw abortedError();
      if (timedOut) {
        const ms = timedOut === 'total' ? this.opts.timeoutMs : this.opts.idleTimeoutMs;
        const what = timedOut === 'total' ? 'took longer than' : 'sent nothing for';
        throw new LlmError('timeout', `LLM API ${what} ${ms} ms`, { retryable: true, cause: e });
      }
      throw e;
    } finally {
      clearTimeout(total);
      clearTimeout(idle);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  private send(req: ChatRequest, signal: AbortSignal): Promise<Response> {
    const stream = req.stream ?? true;
    const body = {
      model: this.opts.model,
      messages: req.messages,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.maxTokens === undefined ? {} : { max_tokens: req.maxTokens }),
      ...(req.json ? { response_format: { type: 'json_object' } } : {}),
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    return this.opts.fetch(`${this.opts.baseUrl}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
  }
}

const abortedError = (attempts = 1) => {
  const error = new LlmError('aborted', 'The chat completion was cancelled');
  error.attempts = attempts;
  return error;
};

function streamError(e: NonNullable<Completion['error']>): LlmError {
  const retryable = e.type === 'server_error' || e.code === 'rate_limit_exceeded';
  return new LlmError('http', `LLM API error in stream: ${e.message ?? 'unknown'}`, {
    code: e.code,
    type: e.type,
    retryable,
  });
}

function readWhole(body: Completion, model: string, req: ChatRequest) {
  if (body.error) throw streamError(body.error);
  const choice = body.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string') {
    const refusal = choice?.message?.refusal;
    throw new LlmError(
      'protocol',
      refusal ? `The model refused: ${refusal}` : 'The reply has no content',
    );
  }
  req.onDelta?.(content);
  return {
    content,
    finishReason: choice?.finish_reason ?? null,
    model: body.model ?? model,
    usage: body.usage ?? undefined,
  };
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  touch: () => void,
  signal: AbortSignal,
  model: string,
  req: ChatRequest,
) {
  let content = '';
  let finishReason: string | null = null;
  let usage: ChatResult['usage'];
  let seenModel = model;
  let done = false;
  for await (const event of readSse(body, touch, signal)) {
    if (event.data === '[DONE]') {
      done = true;
      break;
    }
    let chunk: Completion;
    try {
      chunk = JSON.parse(event.data) as Completion;
    } catch {
      throw new LlmError('protocol', 'The stream sent an event that is not JSON', {
        retryable: true,
      });
    }
    if (chunk.error) throw streamError(chunk.error);
    seenModel = chunk.model ?? seenModel;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    const delta = choice?.delta?.content;
    if (delta) {
      content += delta;
      req.onDelta?.(delta);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  // A stream cut before [DONE] and without a finish reason lost part of the answer.
  if (!done && !finishReason) {
    throw new LlmError('network', 'The stream ended before the answer was complete', {
      retryable: true,
    });
  }
  return { content, finishReason, model: seenModel, usage };
}
