/**
 * One generation, live: its status, the toolchain's output step by step, the model's text,
 * the files it wrote, analyzer findings, errors, and at the end its `Result`. Editors and
 * owners may cancel it while it has not ended.
 */

import { h, replace, time } from '../lib/dom.js';
import { followGeneration } from '../lib/generation-feed.js';
import { liveBadge } from '../lib/live.js';
import { path } from '../lib/router.js';
import { button, link } from '../lib/ui.js';
import { statusBadge } from './generations.js';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];
/** Colours and cursor moves of a terminal, which a <pre> would show as noise. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC begins every escape sequence.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
/** Output kept on the page per step; older text goes first. */
const TERMINAL_KEEP = 200_000;

export async function generationPage(ctx, project) {
  const id = ctx.params.generationId;
  const generation = await ctx.api.call('api', `/generations/${encodeURIComponent(id)}`);
  const canCancel = project.role === 'owner' || project.role === 'editor';
  const badge = liveBadge();
  const status = h('span', { 'data-testid': 'generation-status' }, statusBadge(generation.status));
  const problems = h('div', { class: 'status', 'aria-live': 'polite' });
  const log = h('ol', { class: 'events', 'aria-label': 'Events' });
  const result = h('div', { class: 'result-slot' });
  const terminals = new Map();

  const cancel = button(ctx, { class: 'danger' }, 'Cancel generation', problems, async () => {
    await ctx.api.call('api', `/generations/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    });
  });
  cancel.hidden = !canCancel || TERMINAL.includes(generation.status);

  const setStatus = (value) => {
    replace(status, statusBadge(value));
    if (TERMINAL.includes(value)) cancel.hidden = true;
  };

  function terminal(step) {
    let pre = terminals.get(step);
    if (!pre) {
      pre = h('pre', { class: 'terminal', 'data-step': step });
      terminals.set(step, pre);
      log.append(h('li', { class: 'event output' }, h('strong', {}, step), pre));
    }
    return pre;
  }

  function show(event) {
    const d = event.data;
    switch (event.type) {
      case 'Status':
        setStatus(d.status);
        return line(event, 'status', [statusBadge(d.status), d.step && ` ${d.step}`, d.message]);
      case 'Output': {
        const pre = terminal(d.step);
        const skipped = d.skipped_bytes ? `\n[${d.skipped_bytes} bytes not streamed]\n` : '';
        const cut = d.cut ? '\n[output cut: the rest is not streamed]\n' : '';
        pre.textContent = (pre.textContent + skipped + d.text.replace(ANSI, '') + cut).slice(
          -TERMINAL_KEEP,
        );
        return;
      }
      case 'Text': {
        const last = log.lastElementChild;
        if (last?.classList.contains('text')) last.querySelector('p').append(d.text);
        else log.append(h('li', { class: 'event text' }, h('p', { class: 'content' }, d.text)));
        return;
      }
      case 'Code':
        return line(event, 'code', [
          'wrote ',
          h('code', {}, d.path),
          ` (${d.bytes} bytes${d.truncated ? ', shown cut' : ''})`,
        ]);
      case 'Chat':
        return line(event, 'chat', [h('p', { class: 'content' }, d.content)]);
      case 'Error':
        return line(event, 'error', [
          h('strong', {}, d.kind),
          ` ${d.message}`,
          d.retrying ? ' (trying again)' : '',
          d.tail && h('pre', { class: 'terminal' }, d.tail.replace(ANSI, '')),
        ]);
      case 'AnalysisError':
        return line(event, 'analysis', [
          h('span', { class: 'badge' }, d.severity),
          ` ${d.file}:${d.line}:${d.column} ${d.message} `,
          h('code', {}, d.code),
        ]);
      case 'Result':
        setStatus(d.status);
        return replace(result, resultCard(d));
    }
  }

  function line(event, kind, children) {
    log.append(h('li', { class: `event ${kind}`, 'data-seq': event.seq }, children));
  }

  followGeneration(ctx, id, { onEvent: show, onState: badge.set });

  return h(
    'div',
    { class: 'generation', 'data-generation': id },
    h(
      'p',
      { class: 'crumbs' },
      link(ctx, path('projects', project.id, 'generations'), 'Generations'),
      ' / ',
    ),
    h('div', { class: 'row' }, h('h2', {}, 'Generation'), status, badge.el, cancel),
    h('p', { class: 'content prompt' }, generation.prompt),
    h(
      'p',
      { class: 'muted small' },
      `${generation.kind}, queued `,
      time(generation.queued_at),
      generation.attempt > 1 ? `, attempt ${generation.attempt}` : '',
    ),
    problems,
    result,
    log,
  );
}

/** The generation's end as the `Result` event tells it. */
function resultCard(d) {
  return h(
    'div',
    { class: `card result ${d.status}`, 'data-testid': 'result', 'data-status': d.status },
    h('h2', {}, 'Result: ', d.status),
    d.summary && h('p', { class: 'content' }, d.summary),
    d.error && h('p', { class: 'error' }, d.error),
    h(
      'dl',
      { class: 'details' },
      h('dt', {}, 'Files'),
      h('dd', {}, d.files.length ? d.files.map((f) => h('code', { class: 'file' }, f)) : 'none'),
      h('dt', {}, 'Build'),
      h('dd', {}, d.build ? h('code', {}, d.build.path) : 'none'),
      h('dt', {}, 'Preview'),
      h('dd', {}, d.preview ? previewLink(d.preview.url) : 'none'),
      h('dt', {}, 'Took'),
      h('dd', {}, `${(d.duration_ms / 1000).toFixed(1)} s, ${d.output_bytes} bytes of output`),
    ),
  );
}

/** A preview's address as a link when it is a web address, else as text. */
const previewLink = (url) =>
  /^https?:\/\//i.test(url)
    ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url)
    : h('code', {}, url);
