import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../../../shared/whatsapp/signature.ts';
import { contacts, delivery, inboundExamples } from '../../../fixtures/whatsapp.ts';
import { sansRequestId } from '../projects/helpers.ts';
import { APP_SECRET, crmFixtures, newPhoneNumberId, useCrmApi, VERIFY_TOKEN } from './helpers.ts';
import {
  CODES,
  cellsOf,
  expectRowsMatchDocumented,
  type MatrixRow,
  matrixPeople,
  rowsOf,
} from './matrix.ts';

const fx = useCrmApi();
const { api, sql, client } = crmFixtures(fx);

/** One project with a number, a client who wrote a minute ago, and a template. */
interface Crm {
  projectId: string;
  channelId: string;
  clientId: string;
  templateId: string;
}

const noProject = (t: Crm): Crm => ({ ...t, projectId: randomUUID() });
const noClient = (t: Crm): Crm => ({ ...t, clientId: randomUUID() });
const noChannel = (t: Crm): Crm => ({ ...t, channelId: randomUUID() });
const noTemplate = (t: Crm): Crm => ({ ...t, templateId: randomUUID() });

/** What a row sends: a path and, for writes, a JSON body. */
interface Call {
  path: string;
  json?: unknown;
}

const row = rowsOf<Crm, Call>(noProject);

const P = '/api/projects/{id}';
const p = (t: Crm) => `/projects/${t.projectId}`;
const template = {
  name: 'welcome',
  language: 'en',
  kind: 'template',
  body: 'Welcome {{1}}',
  parameters: [{ name: '1' }],
};

const ROWS: Array<MatrixRow<Crm, Call>> = [
  row(
    'POST',
    `${P}/channels`,
    (t) => ({
      path: `${p(t)}/channels`,
      json: { phone_number_id: newPhoneNumberId(), name: 'Desk', access_token: 'EAA-x' },
    }),
    [404, 403, 403, 201, 403],
  ),
  row('GET', `${P}/channels`, (t) => ({ path: `${p(t)}/channels` }), [404, 200, 200, 200, 200]),
  row(
    'PATCH',
    `${P}/channels/{channelId}`,
    (t) => ({ path: `${p(t)}/channels/${t.channelId}`, json: { name: 'Renamed' } }),
    [404, 403, 403, 200, 404],
    noChannel,
  ),
  row(
    'DELETE',
    `${P}/channels/{channelId}`,
    (t) => ({ path: `${p(t)}/channels/${t.channelId}` }),
    [404, 403, 403, 204, 404],
    noChannel,
  ),
  row(
    'POST',
    `${P}/clients`,
    (t) => ({ path: `${p(t)}/clients`, json: { phone: '+34699112233' } }),
    [404, 403, 201, 201, 403],
  ),
  row('GET', `${P}/clients`, (t) => ({ path: `${p(t)}/clients` }), [404, 200, 200, 200, 200]),
  row(
    'GET',
    `${P}/clients/{clientId}`,
    (t) => ({ path: `${p(t)}/clients/${t.clientId}` }),
    [404, 200, 200, 200, 404],
    noClient,
  ),
  row(
    'PATCH',
    `${P}/clients/{clientId}`,
    (t) => ({ path: `${p(t)}/clients/${t.clientId}`, json: { tags: ['vip'] } }),
    [404, 403, 200, 200, 404],
    noClient,
  ),
  row(
    'DELETE',
    `${P}/clients/{clientId}`,
    (t) => ({ path: `${p(t)}/clients/${t.clientId}` }),
    [404, 403, 204, 204, 404],
    noClient,
  ),
  row(
    'GET',
    `${P}/clients/{clientId}/timeline`,
    (t) => ({ path: `${p(t)}/clients/${t.clientId}/timeline` }),
    [404, 200, 200, 200, 404],
    noClient,
  ),
  row(
    'POST',
    `${P}/clients/{clientId}/messages`,
    (t) => ({ path: `${p(t)}/clients/${t.clientId}/messages`, json: { type: 'text', text: 'Hi' } }),
    [404, 403, 202, 202, 404],
    noClient,
  ),
  row(
    'POST',
    `${P}/templates`,
    (t) => ({ path: `${p(t)}/templates`, json: { ...template, name: 'another' } }),
    [404, 403, 201, 201, 403],
  ),
  row('GET', `${P}/templates`, (t) => ({ path: `${p(t)}/templates` }), [404, 200, 200, 200, 200]),
  row(
    'GET',
    `${P}/templates/{templateId}`,
    (t) => ({ path: `${p(t)}/templates/${t.templateId}` }),
    [404, 200, 200, 200, 404],
    noTemplate,
  ),
  row(
    'PUT',
    `${P}/templates/{templateId}`,
    (t) => ({ path: `${p(t)}/templates/${t.templateId}`, json: template }),
    [404, 403, 200, 200, 404],
    noTemplate,
  ),
  row(
    'DELETE',
    `${P}/templates/{templateId}`,
    (t) => ({ path: `${p(t)}/templates/${t.templateId}` }),
    [404, 403, 204, 204, 404],
    noTemplate,
  ),
  row('GET', `${P}/classifier`, (t) => ({ path: `${p(t)}/classifier` }), [404, 200, 200, 200, 200]),
  row(
    'PUT',
    `${P}/classifier`,
    (t) => ({ path: `${p(t)}/classifier`, json: { threshold: 0.8, rules: [] } }),
    [404, 403, 200, 200, 403],
  ),
];

/** The CRM's paths under a project; the projects matrix leaves these to this one. */
const CRM_PATH = /^\/api\/projects\/\{id\}\/(channels|clients|templates|classifier)(\/|$)/;
/** Documents, imports, analytics and GDPR: ./records-authorization-matrix.test.ts covers them. */
const RECORDS_PATH =
  /^\/api\/projects\/\{id\}\/(imports|analytics|clients\/\{clientId\}\/(documents|audit-log|export|erase))(\/|$)/;
const people = matrixPeople(fx);
const tokenOf = people.tokenOf;

async function freshCrm(): Promise<Crm> {
  const { owner, viewer, editor } = await people.ensure();
  const [project] = await sql()<{ id: string }[]>`
    insert into public.projects (owner_id, name) values (${owner.id}, 'CRM') returning id`;
  const projectId = project!.id;
  await sql()`
    insert into public.project_members (project_id, user_id, role, added_by)
    values (${projectId}, ${viewer.id}, 'viewer', ${owner.id}),
           (${projectId}, ${editor.id}, 'editor', ${owner.id})`;
  const [channel] = await sql()<{ id: string }[]>`
    insert into public.crm_channels (project_id, phone_number_id, name, access_token)
    values (${projectId}, ${newPhoneNumberId()}, 'Desk', 'v1.AAAA.BBBB') returning id`;
  const clientId = await client(projectId, { channelId: channel!.id, inboundAt: new Date() });
  const [tpl] = await sql()<{ id: string }[]>`
    insert into public.crm_templates (project_id, name, language, kind, body, parameters)
    values (${projectId}, 'welcome', 'en', 'template', 'Welcome {{1}}', '[{"name": "1"}]')
    returning id`;
  return { projectId, channelId: channel!.id, clientId, templateId: tpl!.id };
}

describe('the authorization matrix of the CRM routes', () => {
  it('has a row for every documented CRM operation, and no other', async () => {
    const doc = (await api('/openapi.json')).body as { paths: Record<string, object> };
    expectRowsMatchDocumented(
      doc.paths,
      (path) => CRM_PATH.test(path) && !RECORDS_PATH.test(path),
      ROWS,
    );
  });

  const cells = cellsOf(ROWS);

  it.each(cells)('$method $path as $caller → $status', async (cell) => {
    const crm = await freshCrm();
    const { path, json } = cell.call(crm);
    const res = await api(path, { method: cell.method, json, token: tokenOf(cell.caller) });
    expect(res.status).toBe(cell.status);
    const code = CODES[cell.status];
    if (code) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe(code);
    }
    if (cell.status === 404) {
      // Hidden looks exactly like missing.
      const missing = cell.call(cell.missing(crm));
      const other = await api(missing.path, {
        method: cell.method,
        json: missing.json,
        token: tokenOf(cell.caller),
      });
      expect(other.status).toBe(404);
      expect(sansRequestId(res.body)).toEqual(sansRequestId(other.body));
    }
  });
});

describe('the authorization matrix of the whatsapp function', () => {
  // Meta's webhook: no JWT decides anything, only the signature (POST) and the verify token
  // (GET). Every kind of caller gets the same answers.
  const raw = JSON.stringify(delivery({ contacts, messages: [inboundExamples.text] }));

  it('documents exactly GET and POST /webhook', async () => {
    const doc = (await (await fx.call('whatsapp', '/openapi.json')).json()) as {
      paths: Record<string, object>;
    };
    const ops = Object.entries(doc.paths)
      .filter(([path]) => !/\/(health|openapi\.json|docs)$/.test(path))
      .flatMap(([path, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${path}`));
    expect(ops.sort()).toEqual(['GET /whatsapp/webhook', 'POST /whatsapp/webhook']);
  });

  it.each(['anonymous', 'service', 'owner', 'admin'] as const)(
    'answers %s by signature and verify token alone',
    async (caller) => {
      await people.ensure();
      const token = tokenOf(caller);
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const headers = { ...auth, 'content-type': 'application/json' };
      const call = (path: string, init: Record<string, unknown> = {}) =>
        fx.call('whatsapp', path, { headers, ...init });
      const signed = await signatureHeader(APP_SECRET, raw);
      expect((await call('/webhook', { method: 'POST', body: raw })).status).toBe(401);
      const ok = await call('/webhook', {
        method: 'POST',
        body: raw,
        headers: { ...headers, 'x-hub-signature-256': signed },
      });
      expect(ok.status).toBe(200);
      const shake = (verify: string) =>
        call(`/webhook?hub.mode=subscribe&hub.verify_token=${verify}&hub.challenge=42`);
      expect((await shake(VERIFY_TOKEN)).status).toBe(200);
      expect((await shake('nope')).status).toBe(403);
    },
  );
});
