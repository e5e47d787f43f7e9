import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmEmulator, EMULATOR_MODEL } from '../../scripts/emulators/llm/app.ts';
import { BYLINE } from '../../scripts/emulators/llm/flutter-app.ts';
import { LlmClient } from '../../worker/llm/client.ts';
import { buildFixMessages, buildGenerateMessages, parseReply } from '../../worker/llm/protocol.ts';
import { parseAnalyzeOutput } from '../../worker/toolchain/analyze-parser.ts';

let server: ReturnType<typeof serve>;
let baseUrl = '';

beforeAll(async () => {
  const llm = createLlmEmulator({ basePath: '/llm/v1', chunkSize: 16 });
  server = serve({ fetch: llm.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((ready) => server.once('listening', ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/llm/v1`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('LlmClient against the LLM emulator over HTTP', () => {
  it('streams a generated app, then its fix, in the reply protocol', async () => {
    const llm = new LlmClient({ baseUrl, apiKey: 'local', model: EMULATOR_MODEL });
    const conversation = buildGenerateMessages({ prompt: 'a todo list app' });
    const deltas: string[] = [];
    const first = await llm.chat({
      messages: conversation,
      json: true,
      onDelta: (d) => deltas.push(d),
    });
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.join('')).toBe(first.content);
    expect(first.usage?.total_tokens).toBeGreaterThan(0);
    const app = parseReply(first.content);
    expect(app.summary).toContain(BYLINE);

    const broken = app.files.map((f) => ({
      ...f,
      content: f.content.replace('_add();', '_add()'),
    }));
    const issues = parseAnalyzeOutput(
      "  error • Expected to find ';' • lib/main.dart:1:1 • expected_token",
    );
    const fixed = await llm.chat({
      messages: buildFixMessages({
        conversation: [...conversation, { role: 'assistant', content: first.content }],
        issues,
        files: broken,
      }),
    });
    const reply = parseReply(fixed.content);
    expect(reply.files.map((f) => f.path)).toEqual(['lib/main.dart']);
    expect(reply.summary).toContain(BYLINE);
  });

  it('reports the emulator refusing an unknown model as a 404 that is not retried', async () => {
    const llm = new LlmClient({ baseUrl, apiKey: 'local', model: 'gpt-unknown' });
    const error = await llm.chat({ messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toMatchObject({
      kind: 'http',
      status: 404,
      code: 'model_not_found',
      attempts: 1,
    });
  });
});
