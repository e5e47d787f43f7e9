import { z } from 'zod';
import { type AnalysisIssue, formatIssue } from '../toolchain/analyze-parser.ts';

/** One chat message, as OpenAI-compatible APIs take them. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A file of the app: a path relative to the workspace and its whole content. */
export const GeneratedFileSchema = z.object({
  path: z.string().min(1).max(240),
  content: z.string().max(200_000),
});
export type GeneratedFile = z.infer<typeof GeneratedFileSchema>;

/**
 * What the model must answer: a JSON object (nothing else) with a short summary for the
 * user and the files to write. Files not listed are left as they are.
 */
export const LlmReplySchema = z.object({
  summary: z.string().trim().min(1).max(4000),
  files: z.array(GeneratedFileSchema).max(40),
});
export type LlmReply = z.infer<typeof LlmReplySchema>;

/** The model's answer was not the JSON object the protocol asks for. */
export class LlmReplyError extends Error {
  override name = 'LlmReplyError';
}

export const SYSTEM_PROMPT = `You are a senior Flutter engineer. You write complete, working Flutter apps for the web.

Answer with ONE JSON object and nothing else (no Markdown, no code fences):
{"summary": "<one or two sentences for the user: what you built or changed>",
 "files": [{"path": "lib/main.dart", "content": "<the whole file>"}]}

Rules:
- Paths are relative to the project root, with forward slashes: lib/…, test/…, assets/…, pubspec.yaml. Never absolute, never "..".
- Give each file's whole content. List only files you create or change.
- The app starts at lib/main.dart with void main() => runApp(...), uses Material 3, and defines every class it uses.
- Use only the Dart SDK and Flutter unless the request needs a package; then add it to pubspec.yaml.
- The code must pass \`flutter analyze\` with flutter_lints: no print (use debugPrint), const constructors where possible.`;

const fence = (file: GeneratedFile) => `<file path="${file.path}">\n${file.content}\n</file>`;

/** The current files, quoted so the model (and the emulator) can read them back. */
export function formatFiles(files: GeneratedFile[]): string {
  return files.map(fence).join('\n\n');
}

/** The `<file path="…">…</file>` blocks of a message, in order. */
export function readFileBlocks(text: string): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  for (const m of text.matchAll(/<file path="([^"]+)">\n([\s\S]*?)\n<\/file>/g)) {
    out.push({ path: m[1] ?? '', content: m[2] ?? '' });
  }
  return out;
}

/** The analyzer lines quoted in a fix request (`<analyzer>…</analyzer>`), if it is one. */
export function readAnalyzerBlock(text: string): string | undefined {
  return /<analyzer>\n([\s\S]*?)\n<\/analyzer>/.exec(text)?.[1];
}

/**
 * The first request of a generation: the user's words and, when the project already has
 * code, its current files, so the model changes the app instead of starting over.
 */
export function buildGenerateMessages(input: {
  prompt: string;
  files?: GeneratedFile[];
  history?: ChatMessage[];
}): ChatMessage[] {
  const current = input.files?.length
    ? `\n\nThe project's current files:\n\n${formatFiles(input.files)}`
    : '';
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    ...(input.history ?? []),
    { role: 'user', content: `Request:\n${input.prompt.trim()}${current}` },
  ];
}

/**
 * A fix round: the conversation so far, then the analyzer's errors and the files they are
 * in. The model answers in the same JSON format with the corrected files.
 */
export function buildFixMessages(input: {
  conversation: ChatMessage[];
  issues: AnalysisIssue[];
  files: GeneratedFile[];
}): ChatMessage[] {
  const text = [
    '`flutter analyze` found these problems in your code. Fix them and answer in the same JSON format, with the whole content of every file you change.',
    '',
    '<analyzer>',
    ...input.issues.map(formatIssue),
    '</analyzer>',
    '',
    formatFiles(input.files),
  ].join('\n');
  return [...input.conversation, { role: 'user', content: text }];
}

/**
 * Reads the model's answer. Tolerates what models add around JSON (a Markdown fence, text
 * before or after the object) but nothing inside it: the object must match the schema.
 */
export function parseReply(content: string): LlmReply {
  const trimmed = content.trim();
  const unfenced = /^```(?:json)?\s*\n([\s\S]*?)\n```$/.exec(trimmed)?.[1] ?? trimmed;
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start === -1 || end < start) throw new LlmReplyError('The reply holds no JSON object.');
  let data: unknown;
  try {
    data = JSON.parse(unfenced.slice(start, end + 1));
  } catch {
    throw new LlmReplyError('The reply is not valid JSON.');
  }
  const parsed = LlmReplySchema.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(reply)'}: ${i.message}`);
    throw new LlmReplyError(`The reply does not match the protocol: ${where.join('; ')}`);
  }
  return parsed.data;
}
