import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sansRequestId } from '../projects/helpers.ts';
import { crmFixtures } from './helpers.ts';
import {
  CODES,
  cellsOf,
  expectRowsMatchDocumented,
  type MatrixRow,
  matrixPeople,
  rowsOf,
} from './matrix.ts';
import { PDF, uploadDocument, useDocumentsApi } from './storage.ts';

const h = useDocumentsApi();
const { api, sql, client } = crmFixtures(h.fx);

/** A project with a client, one of their documents (in Storage) and an import. */
interface Crm {
  projectId: string;
  clientId: string;
  documentId: string;
  importId: string;
}

interface Call {
  path: string;
  json?: unknown;
  csv?: string;
  form?: boolean;
}

const noProject = (t: Crm): Crm => ({ ...t, projectId: randomUUID() });
const noClient = (t: Crm): Crm => ({ ...t, clientId: randomUUID() });
const noDocument = (t: Crm): Crm => ({ ...t, documentId: randomUUID() });
const noImport = (t: Crm): Crm => ({ ...t, importId: randomUUID() });

const row = rowsOf<Crm, Call>(noProject);

const P = '/api/projects/{id}';
const C = `${P}/clients/{clientId}`;
const p = (t: Crm) => `/projects/${t.projectId}`;
const c = (t: Crm) => `${p(t)}/clients/${t.clientId}`;
const d = (t: Crm) => `${c(t)}/documents/${t.documentId}`;
const analytics = (name: string) =>
  row(
    'GET',
    `${P}/analytics/${name}`,
    (t) => ({ path: `${p(t)}/analytics/${name}` }),
    [404, 200, 200, 200, 200],
  );

const ROWS: Array<MatrixRow<Crm, Call>> = [
  row(
    'POST',
    `${C}/documents`,
    (t) => ({ path: `${c(t)}/documents`, form: true }),
    [404, 403, 201, 201, 404],
    noClient,
  ),
  row(
    'GET',
    `${C}/documents`,
    (t) => ({ path: `${c(t)}/documents` }),
    [404, 200, 200, 200, 404],
    noClient,
  ),
  row(
    'GET',
    `${C}/documents/{documentId}/link`,
    (t) => ({ path: `${d(t)}/link` }),
    [404, 200, 200, 200, 404],
    noDocument,
  ),
  row(
    'PATCH',
    `${C}/documents/{documentId}`,
    (t) => ({ path: d(t), json: { status: 'verified' } }),
    [404, 403, 200, 200, 404],
    noDocument,
  ),
  row(
    'DELETE',
    `${C}/documents/{documentId}`,
    (t) => ({ path: d(t) }),
    [404, 403, 204, 204, 404],
    noDocument,
  ),
  row(
    'POST',
    `${P}/imports`,
    (t) => ({ path: `${p(t)}/imports`, csv: 'phone,name\n+34699112233,Amina\n' }),
    [404, 403, 200, 200, 403],
  ),
  row(
    'GET',
    `${P}/imports/{importId}`,
    (t) => ({ path: `${p(t)}/imports/${t.importId}` }),
    [404, 404, 200, 200, 404],
    noImport,
  ),
  analytics('clients'),
  analytics('messages'),
  analytics('documents'),
  analytics('response-times'),
  row(
    'GET',
    `${C}/audit-log`,
    (t) => ({ path: `${c(t)}/audit-log` }),
    [404, 403, 200, 200, 404],
    noClient,
  ),
  row(
    'GET',
    `${C}/export`,
    (t) => ({ path: `${c(t)}/export` }),
    [404, 403, 200, 200, 404],
    noClient,
  ),
  row(
    'POST',
    `${C}/erase`,
    (t) => ({ path: `${c(t)}/erase`, json: { confirm: true } }),
    [404, 403, 403, 200, 404],
    noClient,
  ),
];

/** The paths this matrix covers; the CRM's and the projects' matrices leave them to it. */
const RECORDS_PATH =
  /^\/api\/projects\/\{id\}\/(imports|analytics|clients\/\{clientId\}\/(documents|audit-log|export|erase))(\/|$)/;
const people = matrixPeople(h.fx);
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
  const clientId = await client(projectId);
  const up = await uploadDocument(
    h.fx,
    `/projects/${projectId}/clients/${clientId}/documents`,
    owner.token,
    {
      bytes: PDF,
      type: 'application/pdf',
      name: 'a.pdf',
    },
  );
  const documentId = (await up.json()).id as string;
  const [imp] = await sql()<{ id: string }[]>`
    insert into public.crm_imports (project_id, created_by, mode, status)
    values (${projectId}, ${owner.id}, 'all', 'succeeded') returning id`;
  return { projectId, clientId, documentId, importId: imp!.id };
}

async function send(method: string, call: Call, token: string | undefined) {
  let res: Response;
  if (call.form) {
    res = await uploadDocument(h.fx, call.path, token, {
      bytes: PDF,
      type: 'application/pdf',
      name: 'b.pdf',
    });
  } else if (call.csv !== undefined) {
    res = await h.fx.call('api', call.path, {
      method,
      body: call.csv,
      token,
      headers: { 'content-type': 'text/csv' },
    });
  } else return api(call.path, { method, json: call.json, token });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('the authorization matrix of documents, imports, analytics and GDPR', () => {
  it('has a row for every documented operation of theirs, and no other', async () => {
    const doc = (await api('/openapi.json')).body as { paths: Record<string, object> };
    expectRowsMatchDocumented(doc.paths, (path) => RECORDS_PATH.test(path), ROWS);
  });

  const cells = cellsOf(ROWS);

  it.each(cells)('$method $path as $caller → $status', async (cell) => {
    const crm = await freshCrm();
    const res = await send(cell.method, cell.call(crm), tokenOf(cell.caller));
    expect(res.status).toBe(cell.status);
    const code = CODES[cell.status];
    if (code) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe(code);
    }
    if (cell.status === 404) {
      // Hidden looks exactly like missing.
      const other = await send(cell.method, cell.call(cell.missing(crm)), tokenOf(cell.caller));
      expect(other.status).toBe(404);
      expect(sansRequestId(other.body)).toEqual(sansRequestId(res.body));
    }
  });
});
