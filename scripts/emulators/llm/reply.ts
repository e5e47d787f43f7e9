import type { ChatMessage, LlmReply } from '../../../worker/llm/protocol.ts';
import { readAnalyzerBlock, readFileBlocks } from '../../../worker/llm/protocol.ts';
import { parseAnalyzeOutput } from '../../../worker/toolchain/analyze-parser.ts';
import { fixFiles } from './fixer.ts';
import { appFor } from './flutter-app.ts';

/** Text of a message whose content is a string or a list of text parts. */
export type IncomingMessage = {
  role: string;
  content: string | Array<{ type: string; text?: string }> | null;
};
export const textOf = (m: IncomingMessage): string =>
  typeof m.content === 'string'
    ? m.content
    : (m.content ?? []).map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('');

/** The user's own words in a generate request (`Request:\n…`), or the whole message. */
function requestOf(text: string): string {
  const body = /^Request:\n([\s\S]*?)(?:\n\nThe project's current files:|$)/.exec(text)?.[1];
  return (body ?? text).trim();
}

/**
 * What the emulator answers to a conversation: for a fix request (the last user message
 * quotes analyzer findings), the corrected files; otherwise a new app for the first
 * request in the conversation. Deterministic: the same messages give the same answer.
 */
export function replyTo(messages: IncomingMessage[]): LlmReply {
  const users = messages.filter((m) => m.role === 'user').map(textOf);
  const last = users.at(-1) ?? '';
  const firstRequest = requestOf(users.find((t) => t.startsWith('Request:\n')) ?? users[0] ?? '');
  const analyzer = readAnalyzerBlock(last);
  if (analyzer !== undefined) {
    return fixFiles({
      prompt: firstRequest,
      files: readFileBlocks(last),
      issues: parseAnalyzeOutput(analyzer),
    });
  }
  return appFor(requestOf(last) || firstRequest);
}

/** The reply as the assistant message's content: the protocol's JSON. */
export const replyContent = (messages: ChatMessage[] | IncomingMessage[]): string =>
  JSON.stringify(replyTo(messages as IncomingMessage[]));
