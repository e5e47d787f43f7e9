import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { openAiError } from './errors.ts';
import { type IncomingMessage, replyContent, textOf } from './reply.ts';

const Part = z.object({ type: z.string(), text: z.string().optional() });
const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(Part), z.null()]),
});
const Body = z.object({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  response_format: z
    .looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) })
    .nullish(),
});

export interface ChatOptions {
  models: string[];
  chunkSize: number;
  created: () => number;
}

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** OpenAI's `param` for a zod issue path: `messages[0].role`. */
const paramOf = (path: PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');

/** `POST /chat/completions`, streamed or not, with OpenAI's validation errors. */
export async function handleChatCompletion(request: Request, opts: ChatOptions): Promise<Response> {
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return openAiError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return openAiError(400, 'Invalid request body: expected a JSON object.');
  }
  const record = raw as Record<string, unknown>;
  if (record.model === undefined) return openAiError(400, 'you must provide a model parameter');
  if (record.messages === undefined) {
    return openAiError(400, "Missing required parameter: 'messages'.", {
      param: 'messages',
      code: 'missing_required_parameter',
    });
  }
  const parsed = Body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = paramOf(issue?.path ?? []);
    return openAiError(400, `Invalid value for '${param}': ${issue?.message ?? 'invalid'}.`, {
      param,
      code: 'invalid_value',
    });
  }
  const body = parsed.data;
  if (!opts.models.includes(body.model)) {
    return openAiError(
      404,
      `The model \`${body.model}\` does not exist or you do not have access to it.`,
      {
        code: 'model_not_found',
      },
    );
  }
  const messages = body.messages as IncomingMessage[];
  let content = replyContent(messages);
  const limit = body.max_completion_tokens ?? body.max_tokens;
  let finish: 'stop' | 'length' = 'stop';
  if (limit && tokens(content) > limit) {
    content = content.slice(0, limit * 4);
    finish = 'length';
  }
  const prompt = messages.reduce((n, m) => n + tokens(textOf(m)), 0);
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: tokens(content),
    total_tokens: prompt + tokens(content),
  };
  const meta = {
    id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
    created: opts.created(),
    model: body.model,
    system_fingerprint: 'fp_emulator',
  };
  if (!body.stream) {
    return Response.json({
      ...meta,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finish,
        },
      ],
      usage,
      service_tier: 'default',
    });
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: object, finishReason: string | null) => ({
    ...meta,
    object: 'chat.completion.chunk',
    service_tier: 'default',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const events: object[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (let i = 0; i < content.length; i += opts.chunkSize) {
    events.push(chunk({ content: content.slice(i, i + opts.chunkSize) }, null));
  }
  events.push(chunk({}, finish));
  if (includeUsage) events.push({ ...meta, object: 'chat.completion.chunk', choices: [], usage });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(encoder.encode(`data: ${JSON.stringify(e)}\n\n`));
      controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}
