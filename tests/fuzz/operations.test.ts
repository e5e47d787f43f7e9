import fc from 'fast-check';
import { afterAll, beforeEach, describe, it } from 'vitest';
import { useApi } from '../functions/api/fixtures.ts';
import { authorization, badTokens, type Caller, callerArb, isSignedIn } from './callers.ts';
import { loadOperations, type Operation } from './openapi.ts';
import { checkAccess, checkData, checkPrivacy, checkResponse, type Outcome } from './oracle.ts';
import { type Plan, planFor } from './plan.ts';
import { render } from './render.ts';
import { diff, type Snapshot, snapshotter } from './snapshot.ts';
import { World } from './world.ts';

// Property-based fuzzing of every operation in every function's OpenAPI document, against
// the real apps, PostgreSQL and the Auth emulator. FUZZ_RUNS requests per operation (and
// FUZZ_SEED) make a run bigger or different; the defaults keep `npm test` fast and repeatable.

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);

const allOperations = await loadOperations();
/** FUZZ_OPS narrows a run to operations whose label (`api GET /audit-log`) contains it. */
const operations = allOperations.filter((op) => op.label.includes(process.env.FUZZ_OPS ?? ''));
const fx = useApi();
const world = new World(fx);
let snapshot: (userId: string) => Promise<Snapshot>;
/** The state after the last request, when nothing has run since: the next one's "before". */
let last: Snapshot | undefined;
let tokens: Awaited<ReturnType<typeof badTokens>>;
let sent = 0;
const started = performance.now();

let ready = false;
// Before each, not before all: the Auth emulator is reachable only once its handler is in.
beforeEach(async () => {
  if (ready) return;
  await world.repair();
  snapshot = await snapshotter(fx.auth.db.sql);
  tokens = await badTokens(world);
  ready = true;
});

afterAll(() => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.info(
    `fuzz: ${sent} requests over ${operations.length} operations in ${seconds} s ` +
      `(FUZZ_RUNS=${RUNS} per operation, FUZZ_SEED=${SEED})`,
  );
});

/** A stable seed per operation, so adding a route leaves the others' sequences alone. */
const seedFor = (op: Operation) =>
  [...op.label].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, SEED);

/** The operation a request reaches: another one of the same path when the method differs. */
const reached = (op: Operation, method: string) =>
  method === op.method
    ? op
    : (allOperations.find(
        (o) =>
          o.fn === op.fn && o.path === op.path && o.method === (method === 'HEAD' ? 'GET' : method),
      ) ?? op);

/**
 * The body, read whole; an event stream never ends, so of it only what the server has sent
 * at once (the replayed events) is read before the stream is closed.
 */
async function readAnswer(res: Response): Promise<string> {
  if (!res.headers.get('content-type')?.startsWith('text/event-stream') || !res.body) {
    return res.text();
  }
  const reader = res.body.getReader();
  const first = await reader.read();
  await reader.cancel();
  return first.value ? new TextDecoder().decode(first.value) : '';
}

async function send(target: Operation, caller: Caller, plan: Plan, pick: number) {
  const op = reached(target, plan.method);
  const user = world.user.id;
  const before = last ?? (await snapshot(user));
  const auth = await authorization(caller, world, tokens, pick);
  const { path, init } = render(op, plan, (ref) => world.lookup(ref.name, ref.index), auth);
  const res = await fx.call(op.fn, path, init);
  sent++;
  const out: Outcome = {
    method: plan.method,
    status: res.status,
    headers: res.headers,
    text: await readAnswer(res),
  };
  const after = await snapshot(user);
  last = after;
  if (out.status < 300) world.remember(out.text);
  try {
    checkResponse(op, out);
    checkAccess(op, caller, out);
    const mine = { before: before.mine, after: [...before.mine, ...after.mine] };
    checkData(op, caller, out, diff(before, after), { ...mine, existing: world.ids() });
    const body = typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body);
    const request = `${path} ${body}`;
    const secrets = { projects: [world.victim.project], sessions: [world.victim.sessionId] };
    checkPrivacy(caller, out, request, secrets, mine.after);
  } finally {
    // Requests may sign the user out, ban them or delete their project: rebuild before the
    // next. Repairs write rows of their own, so the next request takes a fresh snapshot.
    const mutated = out.status < 400 && !['GET', 'HEAD', 'OPTIONS'].includes(plan.method);
    if ((mutated || (isSignedIn(caller) && out.status === 401)) && (await world.repair())) {
      last = undefined;
    }
  }
}

describe('every operation of every OpenAPI document', () => {
  it.each(operations.map((op) => [op.label, op] as const))(
    '%s: no 5xx, one error shape, no unauthorised change',
    async (_, op) => {
      await fc.assert(
        fc.asyncProperty(callerArb, planFor(op), fc.nat(), (caller, plan, pick) =>
          send(op, caller, plan, pick),
        ),
        { numRuns: RUNS, seed: seedFor(op) },
      );
    },
    Math.max(60_000, RUNS * 1_000),
  );
});
