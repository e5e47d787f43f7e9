import { readFileSync } from 'node:fs';
import type { GeneratedFile, LlmReply } from '../../../worker/llm/protocol.ts';
import type { AnalysisIssue } from '../../../worker/toolchain/analyze-parser.ts';
import { analyzeSources } from '../../flutter-sim/dart/analyzer.ts';
import { parsePubspec } from '../../flutter-sim/pubspec.ts';
import { appFor, BYLINE } from './flutter-app.ts';

const TEMPLATE_PUBSPEC = new URL('../../../worker/template/pubspec.yaml', import.meta.url);

/** Line edits for the findings a careful engineer fixes without thinking. */
function patch(content: string, issues: AnalysisIssue[]): string {
  const lines = content.split('\n');
  // Bottom-up, so earlier edits do not move later positions.
  for (const issue of [...issues].sort((a, b) => b.line - a.line || b.column - a.column)) {
    const i = issue.line - 1;
    const line = lines[i];
    if (line === undefined) continue;
    if (issue.code === 'expected_token' && issue.message.includes("';'")) {
      const comment = line.indexOf('//');
      const code = comment === -1 ? line : line.slice(0, comment);
      lines[i] = `${code.trimEnd()};${comment === -1 ? '' : ` ${line.slice(comment)}`}`;
    } else if (issue.code === 'uri_does_not_exist' && /^\s*import\s/.test(line)) {
      lines.splice(i, 1);
    } else if (issue.code === 'avoid_print') {
      lines[i] = line.replace(/\bprint\(/, 'debugPrint(');
    }
  }
  return lines.join('\n');
}

/**
 * The emulator's answer to a fix request: the files with the findings patched, when that
 * leaves them clean under the simulated analyzer; otherwise lib/main.dart rewritten as the
 * emulator's app for the original prompt and any other broken file emptied. Either way,
 * what it returns analyzes clean.
 */
export function fixFiles(input: {
  prompt: string;
  files: GeneratedFile[];
  issues: AnalysisIssue[];
}): LlmReply {
  const pubspecText =
    input.files.find((f) => f.path === 'pubspec.yaml')?.content ??
    readFileSync(TEMPLATE_PUBSPEC, 'utf8');
  const pubspec = parsePubspec(pubspecText);
  const dart = input.files.filter((f) => f.path.endsWith('.dart'));
  const patched = dart.map((f) => ({
    path: f.path,
    content: patch(
      f.content,
      input.issues.filter((i) => i.file === f.path),
    ),
  }));
  const errorsIn = (files: GeneratedFile[]) => {
    const found = analyzeSources({
      files: new Map(files.map((f) => [f.path, f.content])),
      pubspec,
      lints: { avoidPrint: true },
    });
    return new Set(found.map((d) => d.file));
  };
  const broken = errorsIn(patched);
  if (!broken.size) {
    return {
      summary: `${BYLINE}: fixed ${input.issues.length} analyzer finding(s) in ${patched.map((f) => f.path).join(', ')}.`,
      files: patched,
    };
  }
  const fresh = appFor(input.prompt).files[0] as GeneratedFile;
  const emptied = { content: `// ${BYLINE}: emptied, as it could not be repaired.\n` };
  let files = patched.map((f) => (f.path === 'lib/main.dart' ? fresh : f));
  if (!files.some((f) => f.path === 'lib/main.dart')) files.unshift(fresh);
  // Emptying one file can break another that used it: repeat until nothing is broken.
  for (let left = errorsIn(files); left.size; left = errorsIn(files)) {
    files = files.map((f) => (left.has(f.path) ? { path: f.path, ...emptied } : f));
  }
  return {
    summary: `${BYLINE}: the code could not be patched, so lib/main.dart was rewritten from the request.`,
    files,
  };
}
