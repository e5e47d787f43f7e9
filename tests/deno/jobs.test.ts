// The API enqueues under Deno with the same pg-boss and queue map the worker consumes with
// under Node: pg-boss's send runs here, over a database seam that records its statements.
import { sendJob } from '../../shared/jobs/enqueue.ts';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const GENERATION = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const PROJECT = '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c';

Deno.test("pg-boss's send builds the generation job under Deno", async () => {
  const statements: Array<{ text: string; values: unknown[] }> = [];
  const db = {
    executeSql(text: string, values: unknown[] = []) {
      statements.push({ text, values });
      // First the queue lookup, then the insert that returns the job's id.
      if (/FROM\s+pgboss\.queue/i.test(text)) {
        return Promise.resolve({
          rows: [{ name: 'generation', policy: 'singleton', table: 'job_common', notify: true }],
        });
      }
      return Promise.resolve({ rows: [{ id: GENERATION }] });
    },
  };
  const id = await sendJob(db, 'generation', { generation_id: GENERATION, project_id: PROJECT });
  assert(id === GENERATION, `the job id is the generation's, got ${id}`);
  const insert = statements.at(-1);
  assert(insert && /INSERT INTO pgboss\.job_common/i.test(insert.text), 'a job row is inserted');
  const [job] = JSON.parse(String(insert.values[0]));
  assert(job.singletonKey === PROJECT, 'one active job per project: the key is the project');
  assert(job.data.generation_id === GENERATION, 'the payload travels as the queue defines it');
});

Deno.test('a payload its queue does not take is refused before any statement', async () => {
  let called = false;
  const db = {
    executeSql() {
      called = true;
      return Promise.resolve({ rows: [] });
    },
  };
  let refused = false;
  try {
    await sendJob(db, 'generation', { generation_id: 'nope', project_id: PROJECT });
  } catch {
    refused = true;
  }
  assert(refused && !called, 'an invalid payload must fail without touching the database');
});
