import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLlmEmulator, EMULATOR_MODEL } from '../../../scripts/emulators/llm/app.ts';
import { BYLINE } from '../../../scripts/emulators/llm/flutter-app.ts';
import { analyzeSources } from '../../../scripts/flutter-sim/dart/analyzer.ts';
import { formatDiagnostic } from '../../../scripts/flutter-sim/dart/diagnostics.ts';
import { parsePubspec } from '../../../scripts/flutter-sim/pubspec.ts';
import {
  buildFixMessages,
  buildGenerateMessages,
  type GeneratedFile,
  parseReply,
} from '../../../worker/llm/protocol.ts';
import { parseAnalyzeOutput } from '../../../worker/toolchain/analyze-parser.ts';
import { ManualClock } from '../../helpers/clock.ts';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const llm = createLlmEmulator({ clock });
const pubspec = parsePubspec(
  readFileSync(new URL('../../../worker/template/pubspec.yaml', import.meta.url), 'utf8'),
);

const post = (body: unknown, headers: Record<string, string> = {}) =>
  llm.fetch(
    new Request('http://llm.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer any-key', 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

/** Analyzer findings for files, as `flutter analyze` would print them. */
const findings = (files: GeneratedFile[]) =>
  analyzeSources({
    files: new Map(files.filter((f) => f.path.endsWith('.dart')).map((f) => [f.path, f.content])),
    pubspec,
    lints: { avoidPrint: true },
  }).map(formatDiagnostic);

async function complete(messages: unknown) {
  const res = await post({ model: EMULATOR_MODEL, messages });
  expect(res.status).toBe(200);
  const body = await res.json();
  return parseReply(body.choices[0].message.content);
}

describe('LLM emulator: the OpenAI contract', () => {
  it('lists its model', async () => {
    const res = await llm.fetch(
      new Request('http://llm.test/v1/models', { headers: { authorization: 'Bearer k' } }),
    );
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        {
          id: EMULATOR_MODEL,
          object: 'model',
          created: expect.any(Number),
          owned_by: 'flutter-studio',
        },
      ],
    });
  });

  it('answers a completion with the chat.completion shape', async () => {
    const res = await post({ model: EMULATOR_MODEL, messages: [{ role: 'user', content: 'hi' }] });
    const body = await res.json();
    expect(body).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: Date.UTC(2026, 0, 1) / 1000,
      model: EMULATOR_MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: expect.any(String) },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
  });

  it('streams chunks as server-sent events ending with [DONE], with usage when asked', async () => {
    const messages = buildGenerateMessages({ prompt: 'a counter app' });
    const plain = await (await post({ model: EMULATOR_MODEL, messages })).json();
    const res = await post({
      model: EMULATOR_MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(plain.choices[0].message.content);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it.each([
    ['no key', {}, 'not json', 401, null],
    ['bad JSON', { authorization: 'Bearer k' }, '{"model":', 400, null],
    ['no model', { authorization: 'Bearer k' }, { messages: [] }, 400, null],
    [
      'no messages',
      { authorization: 'Bearer k' },
      { model: EMULATOR_MODEL },
      400,
      'missing_required_parameter',
    ],
    [
      'a bad role',
      { authorization: 'Bearer k' },
      { model: EMULATOR_MODEL, messages: [{ role: 'x', content: 'a' }] },
      400,
      'invalid_value',
    ],
    [
      'an unknown model',
      { authorization: 'Bearer k' },
      { model: 'gpt-9', messages: [{ role: 'user', content: 'a' }] },
      404,
      'model_not_found',
    ],
  ])('refuses %s with an OpenAI error body', async (_, headers, body, status, code) => {
    const res = await llm.fetch(
      new Request('http://llm.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: expect.toSatisfy((p) => p === null || typeof p === 'string'),
        code,
      },
    });
  });

  it('checks the key when it has one, in constant time', async () => {
    const locked = createLlmEmulator({ apiKey: 'sk-right' });
    const ask = (key: string) =>
      locked.fetch(
        new Request('http://llm.test/v1/models', { headers: { authorization: `Bearer ${key}` } }),
      );
    expect((await ask('sk-wrong')).status).toBe(401);
    expect((await ask('sk-right')).status).toBe(200);
  });
});

describe('LLM emulator: the apps it writes', () => {
  it.each([
    'a todo list app',
    'a counter',
    'Make me a page about "quotes" with $dollars and \\backslashes\\ — and émojis 🎉',
    "it's a weather dashboard\nwith two lines",
  ])('writes a labelled app that analyzes clean for %j', async (prompt) => {
    const reply = await complete(buildGenerateMessages({ prompt }));
    expect(reply.summary).toContain(BYLINE);
    const main = reply.files.find((f) => f.path === 'lib/main.dart');
    expect(main?.content).toContain(`// ${BYLINE}.`);
    expect(findings(reply.files)).toEqual([]);
  });

  it('answers the same prompt with the same files', async () => {
    const messages = buildGenerateMessages({ prompt: 'a shopping list' });
    expect(await complete(messages)).toEqual(await complete(messages));
  });

  it('patches what the analyzer found when it can', async () => {
    const first = buildGenerateMessages({ prompt: 'a counter' });
    const broken =
      "import 'package:flutter/material.dart';\nimport 'package:nope/nope.dart';\n\nvoid main() {\n  runApp(const Placeholder())\n}\n";
    const files = [{ path: 'lib/main.dart', content: broken }];
    const issues = parseAnalyzeOutput(findings(files).join('\n'));
    expect(issues.map((i) => i.code)).toEqual(['uri_does_not_exist', 'expected_token']);
    const reply = await complete(buildFixMessages({ conversation: first, issues, files }));
    expect(reply.files).toEqual([
      {
        path: 'lib/main.dart',
        content:
          "import 'package:flutter/material.dart';\n\nvoid main() {\n  runApp(const Placeholder());\n}\n",
      },
    ]);
  });

  it('rewrites what it cannot patch, so the fixed files analyze clean', async () => {
    const first = buildGenerateMessages({ prompt: 'a todo list' });
    const files = [
      {
        path: 'lib/main.dart',
        content:
          "import 'package:flutter/material.dart';\nimport 'models.dart';\n\nvoid main() => runApp(Todo());\n",
      },
      { path: 'lib/models.dart', content: 'class Todo {\n  final Strin title = "x;\n}\n' },
    ];
    const issues = parseAnalyzeOutput(findings(files).join('\n'));
    expect(issues.length).toBeGreaterThan(0);
    const reply = await complete(buildFixMessages({ conversation: first, issues, files }));
    expect(reply.summary).toContain(BYLINE);
    expect(reply.files.map((f) => f.path).sort()).toEqual(['lib/main.dart', 'lib/models.dart']);
    expect(findings(reply.files)).toEqual([]);
    expect(reply.files.find((f) => f.path === 'lib/main.dart')?.content).toContain("'Todo List'");
  });
});
