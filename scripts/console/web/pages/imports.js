/**
 * Importing clients from a CSV file (owners and editors): the API validates every row first
 * and reports each problem by row, field and problem. A small file is imported during the
 * request; a larger one by the worker, whose progress is followed here until it ends.
 */
import { field, h, replace } from '../lib/dom.js';
import { form } from '../lib/ui.js';

const DONE = new Set(['succeeded', 'rejected', 'failed']);
/** How many problems and duplicates the report lists before "and N more". */
const SHOWN = 20;

export function importPanel(ctx, project, onImported) {
  const base = `/projects/${encodeURIComponent(project.id)}/imports`;
  const report = h('div', { class: 'import-report', 'aria-live': 'polite' });
  const upload = form(
    ctx,
    { class: 'inline', 'aria-label': 'Import clients' },
    [
      field(
        'CSV file',
        h('input', { name: 'file', type: 'file', accept: '.csv,text/csv', required: true }),
      ),
      field(
        'Rows',
        h(
          'select',
          { name: 'mode' },
          h('option', { value: 'all' }, 'All or nothing'),
          h('option', { value: 'partial' }, 'Import the valid ones'),
        ),
      ),
    ],
    'Import',
    async ({ file, mode }) => {
      replace(report);
      let run = await ctx.api.call('api', base, {
        method: 'POST',
        query: { mode },
        body: new Blob([file], { type: 'text/csv' }),
      });
      while (!DONE.has(run.status)) {
        replace(report, progress(run));
        await new Promise((r) => setTimeout(r, 1000));
        // The reader went to another page: the worker goes on, this page stops asking.
        if (!report.isConnected) return;
        run = await ctx.api.call('api', `${base}/${encodeURIComponent(run.id)}`);
      }
      replace(report, summary(run));
      if (run.imported > 0) onImported();
    },
  );
  return h('div', {}, upload, report);
}

function progress(run) {
  const of = run.total_rows === null ? '' : ` of ${run.total_rows}`;
  return h(
    'p',
    { class: 'muted' },
    `Importing: ${run.status}, ${run.processed_rows}${of} rows read…`,
  );
}

function summary(run) {
  const rows = (list, line) => [
    list.slice(0, SHOWN).map((x) => h('li', {}, line(x))),
    list.length > SHOWN ? h('li', { class: 'muted' }, `and ${list.length - SHOWN} more`) : null,
  ];
  return h(
    'div',
    { 'data-import': run.id, 'data-status': run.status },
    h(
      'p',
      {},
      h('strong', {}, run.status),
      `: ${run.imported} imported, ${run.duplicates} duplicates, ${run.invalid} invalid.`,
      run.error ? ` ${run.error}` : '',
    ),
    run.problems.length > 0 &&
      h(
        'ul',
        { class: 'problems', 'aria-label': 'Problems' },
        rows(run.problems, (p) => `Row ${p.row}, ${p.field}: ${p.problem}`),
      ),
    run.duplicate_rows.length > 0 &&
      h(
        'ul',
        { class: 'duplicates', 'aria-label': 'Duplicates' },
        rows(run.duplicate_rows, (d) =>
          d.same_as_row
            ? `Row ${d.row} repeats row ${d.same_as_row} (${d.field})`
            : `Row ${d.row}: a client with this ${d.field} exists`,
        ),
      ),
  );
}
