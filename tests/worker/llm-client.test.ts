import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { type ChatRequest, LlmClient, type LlmClientOptions } from '../../worker/llm/client.ts';
import { LlmError } from '../../worker/llm/errors.ts';
import { ManualClock } from '../helpers/clock.ts';
import { server } from '../helpers/msw.ts';

const BASE = 'https://llm.example.com/v1';
const URL_ = `${BASE}/chat/completions`;
const messages: ChatRequest['messages'] = [{ role: 'user', content: 'hello' }];

/** A client whose waits are recorded instead of slept, and whose jitter is fixed. */
function client(opts: Partial<LlmClientOptions> = {}) {
  const waits: number[] = [];
  const llm = new LlmClient({
    baseUrl: BASE,
    apiKey: 'sk-test',
    model: 'gpt-test',
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      waits.push(ms);
    },
    random: () => 0,
    ...opts,
  });
  return { llm, waits };
}

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test-2025', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

/** An SSE body delivered in arbitrary pieces, as the network may split it. */
function sse(text: string, pieceSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + pieceSize));
      at += pieceSize;
    },
  });
}

const STREAM =
  ': keep-alive\n\n' +
  chunk({ role: 'assistant', content: '', refusal: null }) +
  chunk({ content: 'Hel' }) +
  chunk({ content: 'lo, wörld' }).replace(/\n\n$/, '\r\n\r\n') +
  chunk({}, 'stop') +
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })}\n\n` +
  'data: [DONE]\n\n';

const streamed = () =>
  new HttpResponse(sse(STREAM, 7), { headers: { 'content-type': 'text/event-stream' } });

const openAiError = (
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers = {},
) => HttpResponse.json({ error: { message, type, param: null, code } }, { status, headers });

describe('LlmClient: streaming and plain answers', () => {
  it('streams deltas through the callback, whatever the network splits, and returns the whole', async () => {
    let body: Record<string, unknown> = {};
    let auth = '';
    server.use(
      http.post(URL_, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        auth = request.headers.get('authorization') ?? '';
        return streamed();
      }),
    );
    const deltas: string[] = [];
    const result = await client().llm.chat({
      messages,
      json: true,
      onDelta: (d) => deltas.push(d),
    });
    expect(deltas).toEqual(['Hel', 'lo, wörld']);
    expect(result).toEqual({
      content: 'Hello, wörld',
      finishReason: 'stop',
      model: 'gpt-test-2025',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      attempts: 1,
    });
    expect(body).toMatchObject({
      model: 'gpt-test',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_object' },
    });
    expect(auth).toBe('Bearer sk-test');
  });

  it('reads a non-streamed completion', async () => {
    server.use(
      http.post(URL_, () =>
        HttpResponse.json({
          id: 'x',
          object: 'chat.completion',
          model: 'gpt-test',
          choices: [
            { index: 0, message: { role: 'assistant', content: '{"a":1}' }, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        }),
      ),
    );
    const result = await client().llm.chat({ messages, stream: false });
    expect(result).toMatchObject({ content: '{"a":1}', finishReason: 'stop', attempts: 1 });
  });

  it('fails on an error event inside the stream', async () => {
    const body = `${chunk({ content: 'a' })}data: {"error":{"message":"bad things","type":"invalid_request_error","code":null}}\n\n`;
    server.use(
      http.post(
        URL_,
        () => new HttpResponse(sse(body, 64), { headers: { 'content-type': 'text/event-stream' } }),
      ),
    );
    const error = await client()
      .llm.chat({ messages })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ kind: 'http', retryable: false, attempts: 1 });
  });
});

describe('LlmClient: retries', () => {
  it('waits as long as Retry-After asks on 429, then succeeds', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, () => {
        calls++;
        if (calls === 1)
          return openAiError(
            429,
            'Rate limit reached for requests',
            'requests',
            'rate_limit_exceeded',
            { 'retry-after': '2' },
          );
        if (calls === 2)
          return openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', {
            'retry-after-ms': '350',
          });
        return streamed();
      }),
    );
    const retries: number[] = [];
    const { llm, waits } = client();
    const result = await llm.chat({ messages, onRetry: (r) => retries.push(r.attempt) });
    expect(result.attempts).toBe(3);
    expect(waits).toEqual([2000, 350]);
    expect(retries).toEqual([2, 3]);
  });

  it('reads Retry-After as an HTTP date against the clock', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    let calls = 0;
    server.use(
      http.post(URL_, () =>
        ++calls === 1
          ? openAiError(429, 'slow down', 'requests', 'rate_limit_exceeded', {
              'retry-after': 'Thu, 01 Jan 2026 12:00:05 GMT',
            })
          : streamed(),
      ),
    );
    const { llm, waits } = client({ clock });
    await llm.chat({ messages });
    expect(waits).toEqual([5000]);
  });

  it('backs off exponentially on 5xx and network errors', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, () => {
        calls++;
        if (calls === 1) return openAiError(500, 'The server had an error', 'server_error', null);
        if (calls === 2) return HttpResponse.error();
        if (calls === 3) return new HttpResponse('<html>Bad gateway</html>', { status: 502 });
        return streamed();
      }),
    );
    const { llm, waits } = client({ backoff: { initialMs: 100, maxMs: 300 } });
    const result = await llm.chat({ messages });
    expect(result.attempts).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('never retries other 4xx errors', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, () => {
        calls++;
        return openAiError(
          400,
          "Invalid value for 'messages'",
          'invalid_request_error',
          'invalid_value',
        );
      }),
    );
    const error = await client()
      .llm.chat({ messages })
      .catch((e) => e);
    expect(calls).toBe(1);
    expect(error).toMatchObject({
      kind: 'http',
      status: 400,
      code: 'invalid_value',
      type: 'invalid_request_error',
      retryable: false,
      attempts: 1,
    });
    expect(error.message).toBe("LLM API 400: Invalid value for 'messages'");
  });

  it('gives up after maxRetries with the last error', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, () => {
        calls++;
        return openAiError(503, 'overloaded', 'server_error', null);
      }),
    );
    const error = await client({ maxRetries: 2 })
      .llm.chat({ messages })
      .catch((e) => e);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ kind: 'http', status: 503, retryable: true, attempts: 3 });
  });

  it('retries a stream cut before its end', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, () =>
        ++calls === 1
          ? new HttpResponse(sse(chunk({ content: 'partial' }), 64), {
              headers: { 'content-type': 'text/event-stream' },
            })
          : streamed(),
      ),
    );
    const deltas: string[] = [];
    const result = await client().llm.chat({
      messages,
      onDelta: (d) => deltas.push(d),
      onRetry: () => deltas.splice(0),
    });
    expect(result.content).toBe('Hello, wörld');
    expect(deltas.join('')).toBe('Hello, wörld');
  });
});

describe('LlmClient: timeouts and cancellation', () => {
  it('times out an attempt that never answers, retries, then reports the timeout', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, async () => {
        calls++;
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const error = await client({ timeoutMs: 50, maxRetries: 1 })
      .llm.chat({ messages })
      .catch((e) => e);
    expect(calls).toBe(2);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true, attempts: 2 });
  });

  it('times out a stream that goes silent', async () => {
    server.use(
      http.post(URL_, () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(chunk({ content: 'a' })));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': 'text/event-stream' } });
      }),
    );
    const error = await client({ idleTimeoutMs: 50, maxRetries: 0 })
      .llm.chat({ messages })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.message).toContain('sent nothing for 50 ms');
  });

  it('stops at once when the signal aborts mid-request, without retrying', async () => {
    let calls = 0;
    server.use(
      http.post(URL_, async () => {
        calls++;
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = client()
      .llm.chat({ messages, signal: controller.signal })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'aborted' });
    expect(calls).toBe(1);
  });

  it('stops when the signal aborts during a backoff', async () => {
    server.use(http.post(URL_, () => openAiError(500, 'down', 'server_error', null)));
    const controller = new AbortController();
    const llm = new LlmClient({
      baseUrl: BASE,
      model: 'm',
      sleep: (_ms, signal) => {
        controller.abort();
        return Promise.reject(signal?.reason);
      },
    });
    const error = await llm.chat({ messages, signal: controller.signal }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'aborted', attempts: 1 });
  });
});
