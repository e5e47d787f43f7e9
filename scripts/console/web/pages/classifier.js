/**
 * The project's classifier: inbound text suggests a client's profile type by the terms it
 * contains. The rules are edited as lines of `profile type: term, term, a phrase`; owners
 * and editors save them, everyone in the project reads them.
 */
import { field, h } from '../lib/dom.js';
import { form } from '../lib/ui.js';

export async function classifierPanel(ctx, project, at) {
  const writes = project.role === 'owner' || project.role === 'editor';
  const saved = await ctx.api.call('api', at);
  const rules = h(
    'textarea',
    {
      name: 'rules',
      rows: 6,
      readonly: !writes,
      placeholder: 'asylum: asylum, refugee, international protection',
    },
    toLines(saved.rules),
  );
  const threshold = h('input', {
    name: 'threshold',
    type: 'number',
    min: 0.05,
    max: 1,
    step: 0.05,
    required: true,
    readonly: !writes,
    value: String(saved.threshold),
  });
  const fields = [
    field(
      'Rules',
      rules,
      'One line a profile type: its name, a colon, then terms separated by commas.',
    ),
    field('Threshold', threshold, 'The confidence a suggestion needs to change a profile type.'),
  ];
  if (!writes) return h('div', { class: 'classifier' }, fields);
  return form(ctx, { 'aria-label': 'Classifier' }, fields, 'Save rules', async (values) => {
    const body = { threshold: Number(values.threshold), rules: fromLines(values.rules) };
    const next = await ctx.api.call('api', at, { method: 'PUT', body });
    rules.value = toLines(next.rules);
    threshold.value = String(next.threshold);
  });
}

const toLines = (rules) => rules.map((r) => `${r.profile_type}: ${r.terms.join(', ')}`).join('\n');

function fromLines(text) {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1])
    .filter(([line]) => line)
    .map(([line, n]) => {
      const m = /^([^:]+):(.*)$/.exec(line);
      const terms = (m?.[2] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (!m || terms.length === 0) {
        throw new Error(`Line ${n}: write a profile type, a colon, then its terms.`);
      }
      return { profile_type: m[1].trim(), terms };
    });
}
