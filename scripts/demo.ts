import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { type GenerationEvent, generationTopic } from '../shared/generations/events.ts';
import { DEMO_ANON_KEY } from './local/keys.ts';

// `npm run demo -- "a todo list app"`, with `npm run dev` running: the main job as a client
// sees it, through the public API only. Signs in a demo user (registering and confirming by
// the mailbox link the first time), creates a project, starts a generation with a preview,
// prints its events live from Realtime until the Result, and says where the code and the
// preview are.
const base = (
  process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 54321}`
).replace(/\/+$/, '');
const anonKey = process.env.ANON_KEY ?? DEMO_ANON_KEY;
const prompt = process.argv.slice(2).join(' ').trim() || 'a todo list app';
const email = process.env.DEMO_EMAIL ?? 'demo@example.com';
const password = process.env.DEMO_PASSWORD ?? 'demo-password-2026';
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? '.local');

const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;

async function call(path: string, init: { token?: string; json?: unknown; method?: string } = {}) {
  const res = await fetch(`${base}/functions/v1${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      apikey: anonKey,
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Signs in; the first time, registers and confirms the address by the link in the mailbox. */
async function signIn(): Promise<string> {
  const login = () => call('/auth/login', { json: { email, password } });
  let res = await login();
  if (res.status !== 200) {
    const reg = await call('/auth/register', { json: { email, password } });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    if (reg.body.confirmation_required) {
      const list = await (await fetch(`${base}/mailbox/api/v1/messages?to=${email}`)).json();
      const id = (list as { messages: Array<{ ID: string }> }).messages[0]?.ID;
      const mail = await (await fetch(`${base}/mailbox/api/v1/message/${id}`)).json();
      await fetch((mail as { Link: string }).Link, { redirect: 'manual' });
      console.log(dim(`Registered ${email} and confirmed it by the mailbox link.`));
    }
    res = await login();
  }
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

const STEP_NAMES: Record<string, string> = {
  workspace: 'Preparing the workspace',
  generate: 'Writing the code',
  pub_get: 'flutter pub get',
  analyze: 'flutter analyze',
  fix: 'Fixing what the analyzer found',
  build: 'flutter build web',
  preview: 'Starting the preview',
};

/** One event, as a person would like to read it. */
function show(e: GenerationEvent, files: Map<string, string>): void {
  const seq = dim(String(e.seq).padStart(3));
  switch (e.type) {
    case 'Status':
      console.log(
        `${seq} ● ${bold(e.data.step ? (STEP_NAMES[e.data.step] ?? e.data.step) : e.data.status)}${e.data.message ? dim(` — ${e.data.message}`) : ''}`,
      );
      break;
    case 'Output':
      for (const line of e.data.text.replace(/\r/g, '').split('\n').filter(Boolean)) {
        console.log(`${seq}   ${dim(line.slice(0, 160))}`);
      }
      if (e.data.cut) console.log(`${seq}   ${dim('… output cut here (event limit)')}`);
      break;
    case 'Text':
      process.stdout.write(dim('.'));
      break;
    case 'Code':
      files.set(e.data.path, e.data.content);
      console.log(`${seq}   wrote ${e.data.path} (${e.data.bytes} bytes)`);
      break;
    case 'AnalysisError':
      console.log(
        `${seq}   ${e.data.severity} ${e.data.file}:${e.data.line}:${e.data.column} ${e.data.message}`,
      );
      break;
    case 'Chat':
      console.log(`${seq} 💬 ${e.data.content}`);
      break;
    case 'Error':
      console.log(`${seq} ✗ ${e.data.message}${e.data.retrying ? ' (will retry)' : ''}`);
      break;
    case 'Result':
      console.log(`${seq} ■ ${bold(e.data.status)} in ${(e.data.duration_ms / 1000).toFixed(1)} s`);
      break;
  }
}

const token = await signIn();
const project = await call('/api/projects', {
  token,
  json: { name: `Demo: ${prompt}`.slice(0, 120) },
});
if (project.status !== 201) throw new Error(`create project: ${project.status}`);
const started = await call(`/api/projects/${project.body.id}/generations`, {
  token,
  json: { prompt, preview: true, cancel_on_disconnect: true },
});
if (started.status !== 202) {
  throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
}
const id = started.body.id as string;
console.log(`Project ${project.body.id}\nGeneration ${id}: "${prompt}"\n`);

// Realtime: a private channel, authorized by RLS on the project's membership. Presence says
// someone watches (the generation asked to be cancelled when nobody does).
const supabase = createClient(base, anonKey, { auth: { persistSession: false } });
await supabase.realtime.setAuth(token);
const files = new Map<string, string>();
let next = 1;
const early = new Map<number, GenerationEvent>();
let finished: (e: GenerationEvent) => void = () => {};
const result = new Promise<GenerationEvent>((done) => {
  finished = done;
});
/** Prints in seq order, whether an event came by Realtime or by the catch-up replay. */
function receive(e: GenerationEvent) {
  if (e.seq < next) return;
  early.set(e.seq, e);
  for (let ev = early.get(next); ev; ev = early.get(next)) {
    early.delete(next++);
    show(ev, files);
    if (ev.type === 'Result') finished(ev);
  }
}
const channel = supabase.channel(generationTopic(id), { config: { private: true } });
channel.on('broadcast', { event: '*' }, ({ payload }) => receive(payload as GenerationEvent));
await new Promise<void>((joined, failed) =>
  channel.subscribe((status, err) => {
    if (status === 'SUBSCRIBED') joined();
    else if (status !== 'CLOSED') failed(err ?? new Error(status));
  }),
);
await channel.track({ watching: true });
// What happened before the subscription, from the replay.
const missed = await call(`/api/generations/${id}/events?after=0`, { token });
for (const e of missed.body.data as GenerationEvent[]) receive(e);

const end = await result;
await supabase.removeAllChannels();
if (end.type !== 'Result') throw new Error('unreachable');
const out = join(dataDir, 'demo', id);
for (const [path, content] of files) {
  await mkdir(dirname(join(out, path)), { recursive: true });
  await writeFile(join(out, path), content);
}
console.log(`
${bold(end.data.status === 'succeeded' ? 'Done.' : `It ended ${end.data.status}.`)}${end.data.error ? ` ${end.data.error}` : ''}
  Summary    ${end.data.summary ?? '—'}
  Code       ${out} (as the events carried it)
             ${join(dataDir, 'workspaces', project.body.id)} (the worker's workspace, with build/web)
  Files      ${end.data.files.join(', ') || '—'}
  Preview    ${end.data.preview?.url ?? '—'}
  History    GET ${base}/functions/v1/api/projects/${project.body.id}/messages`);
process.exit(end.data.status === 'succeeded' ? 0 : 1);
