import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './scripts/db/embedded.ts';
import { localEnvSchema } from './scripts/local/env.ts';
import { freePort } from './scripts/local/ports.ts';
import { startLocalStack } from './scripts/local/stack.ts';
import { parseEnv } from './shared/config.ts';
import { DEMO_ANON_KEY } from './scripts/local/keys.ts';
const dir = mkdtempSync(join(tmpdir(), 'probe-'));
const port = await freePort();
const start = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, persistent: true });
let pg = await start();
process.env.GOTRUE_MAILER_AUTOCONFIRM = 'true';
const stack = await startLocalStack(parseEnv(localEnvSchema, { DATABASE_URL: pg.url, GATEWAY_PORT: String(await freePort()), WORKER_PORT: String(await freePort()), LOCAL_DATA_DIR: join(dir, 'l'), LOG_LEVEL: process.env.LL ?? 'silent' }));
const g = stack.gatewayUrl;
const su = await (await fetch(`${g}/auth/v1/signup`, { method: 'POST', headers: { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ email: `p${Date.now()}@example.com`, password: 'a-sturdy-password' }) })).json();
const token = su.access_token;
const t = () => new Date().toISOString().slice(17, 23);
const probe = async (label: string, url: string) => {
  const s = Date.now();
  const r = await Promise.race([
    fetch(url, { headers: { apikey: DEMO_ANON_KEY, authorization: `Bearer ${token}` } }).then(async (r) => `${r.status} ${(await r.text()).slice(0, 120)}`, (e) => `err ${e.message}`),
    new Promise((r) => setTimeout(() => r('HUNG'), 4000)),
  ]);
  console.log(t(), label, Date.now() - s, r);
};
const all = async (p: string) => { await Promise.all([probe(`${p} health`, `${g}/functions/v1/api/health`), probe(`${p} me`, `${g}/functions/v1/api/users/me`), probe(`${p} projects`, `${g}/functions/v1/api/projects`), probe(`${p} auth user`, `${g}/auth/v1/user`)]); };
await all('up');
let stop = false;
const loops = [0,1,2,3,4].map(async (i) => { while (!stop) { await all(`L${i}`); } });
await new Promise((r) => setTimeout(r, 300));
await pg.stop(); console.log(t(), 'stopped');
await new Promise((r) => setTimeout(r, 1500));
pg = await start(); console.log(t(), 'started');
await new Promise((r) => setTimeout(r, 1500));
stop = true; await Promise.all(loops);
for (let i = 0; i < 4; i++) { await all(`again${i}`); await new Promise((r) => setTimeout(r, 1000)); }
await stack.stop(); await pg.stop();
