import {
  buildFixMessages,
  buildGenerateMessages,
  type ChatMessage,
  type GeneratedFile,
  type LlmReply,
  parseReply,
  SYSTEM_PROMPT,
} from '../llm/protocol.ts';
import type { AnalysisIssue } from '../toolchain/analyze-parser.ts';
import type { RunState } from './context.ts';
import { GenerationFailure } from './failures.ts';
import { enterStep, errorsOf, writeFiles } from './steps.ts';

/**
 * One request to the model, its reply streamed as Text events, bounded by the LLM step's
 * timeout (a lapse ends the generation) and stopped by cancel.
 */
async function ask(run: RunState, messages: ChatMessage[]): Promise<LlmReply> {
  const { deps } = run;
  const timeout = AbortSignal.timeout(deps.settings.timeouts.llmMs);
  try {
    const answer = await deps.llm.chat({
      messages,
      json: true,
      signal: AbortSignal.any([run.signal, timeout]),
      onDelta: (text) => run.publisher.modelText(text),
      onRetry: (info) =>
        void run.publisher.emit('Status', {
          status: 'running',
          step: run.step,
          message: `The model did not answer (${info.error.message}); asking again in ${Math.ceil(info.delayMs / 1000)} s`,
        }),
    });
    return parseReply(answer.content);
  } catch (err) {
    if (run.signal.aborted) throw run.signal.reason;
    if (timeout.aborted) {
      const s = Math.round(deps.settings.timeouts.llmMs / 1000);
      throw new GenerationFailure('timeout', `The model took longer than ${s} s`, run.step);
    }
    throw err;
  }
}

/** The conversation so far, as the model should see it, for a reply it gave. */
const withReply = (messages: ChatMessage[], reply: LlmReply): ChatMessage[] => [
  ...messages,
  { role: 'assistant', content: JSON.stringify(reply) },
];

/**
 * Asks the model for the app (or the change) in the user's words, with the project's recent
 * conversation and its current sources, and writes what it answers.
 */
export async function generateCode(run: RunState): Promise<ChatMessage[]> {
  const { deps, generation } = run;
  await enterStep(run, 'generate');
  const files = await deps.workspaces.sources(generation.projectId);
  const history = await deps.store.history(generation.projectId, generation.id);
  const messages = buildGenerateMessages({ prompt: generation.prompt, files, history });
  const reply = await ask(run, messages);
  run.summary = reply.summary;
  await writeFiles(run, reply.files);
  return withReply(messages, reply);
}

/** The conversation a fix round starts from when no generate step came before (`fix`). */
export function fixConversation(prompt: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `Request:\n${prompt.trim()}` },
  ];
}

/** One fix round: the analyzer's errors and the files they are in, and the model's fix. */
export async function fixRound(
  run: RunState,
  conversation: ChatMessage[],
  issues: AnalysisIssue[],
  round: number,
): Promise<ChatMessage[]> {
  const { deps, generation } = run;
  const errors = errorsOf(issues);
  await enterStep(
    run,
    'fix',
    `Fixing ${errors.length} error${errors.length === 1 ? '' : 's'} (round ${round} of ${deps.settings.fixRounds})`,
  );
  const files: GeneratedFile[] = [];
  for (const path of [...new Set(errors.map((e) => e.file))]) {
    const content = await deps.workspaces
      .readFile(generation.projectId, path)
      .catch(() => undefined);
    if (content !== undefined) files.push({ path, content });
  }
  const messages = buildFixMessages({ conversation, issues: errors, files });
  const reply = await ask(run, messages);
  run.summary = reply.summary;
  await writeFiles(run, reply.files);
  return withReply(messages, reply);
}
