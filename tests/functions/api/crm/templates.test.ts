import { describe, expect, it } from 'vitest';
import { crmFixtures, useCrmApi } from './helpers.ts';

const fx = useCrmApi();
const { team, api } = crmFixtures(fx);

const reminder = {
  name: 'appointment_reminder',
  language: 'en_US',
  kind: 'template',
  body: 'Hello {{1}}, see you on {{2}}.',
  parameters: [{ name: '1' }, { name: '2', example: 'Monday' }],
};

describe('templates', () => {
  it('stores, lists, replaces and removes templates; a name and language taken is a 409', async () => {
    const t = await team();
    const base = `/projects/${t.projectId}/templates`;
    const created = await api(base, { token: t.editor.token, json: reminder });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...reminder, buttons: [], list: null, footer: null });
    const clash = await api(base, { token: t.owner.token, json: reminder });
    expect(clash.status).toBe(409);
    expect(clash.body.errors[0].path).toBe('body.name');
    const spanish = await api(base, {
      token: t.owner.token,
      json: { ...reminder, language: 'es' },
    });
    expect(spanish.status).toBe(201);

    const list = await api(`${base}?limit=1`, { token: t.viewer.token });
    expect(list.body.data.map((x: { language: string }) => x.language)).toEqual(['en_US']);
    const next = await api(`${base}?limit=1&cursor=${list.body.next_cursor}`, {
      token: t.viewer.token,
    });
    expect(next.body).toMatchObject({ data: [{ language: 'es' }], next_cursor: null });

    const menu = {
      name: 'service_menu',
      language: 'en',
      kind: 'list',
      body: 'How can we help?',
      list: {
        button: 'Services',
        sections: [
          {
            title: 'Papers',
            rows: [
              { id: 'renewal', title: 'Renewal' },
              { id: 'new', title: 'First application' },
            ],
          },
        ],
      },
      footer: 'Reply any time',
    };
    const replaced = await api(`${base}/${created.body.id}`, {
      method: 'PUT',
      token: t.editor.token,
      json: menu,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      ...menu,
      id: created.body.id,
      parameters: [],
      buttons: [],
    });
    expect((await api(`${base}/${created.body.id}`, { token: t.viewer.token })).body.kind).toBe(
      'list',
    );
    expect(
      (
        await api(`${base}/${created.body.id}`, {
          method: 'PUT',
          token: t.viewer.token,
          json: menu,
        })
      ).status,
    ).toBe(403);
    expect((await api(`${base}/${created.body.id}`, { token: t.stranger.token })).status).toBe(404);
    expect(
      (await api(`${base}/${created.body.id}`, { method: 'DELETE', token: t.owner.token })).status,
    ).toBe(204);
    expect((await api(`${base}/${created.body.id}`, { token: t.owner.token })).status).toBe(404);
  });

  it('checks each kind as Meta would: placeholders, buttons and lists', async () => {
    const t = await team();
    const base = `/projects/${t.projectId}/templates`;
    const problems = async (json: Record<string, unknown>) => {
      const res = await api(base, { token: t.owner.token, json });
      expect(res.status).toBe(422);
      return (res.body.errors as Array<{ path: string }>).map((e) => e.path);
    };
    expect(await problems({ ...reminder, parameters: [{ name: '3' }] })).toEqual([
      'body.parameters.0.name',
    ]);
    expect(await problems({ ...reminder, name: 'Has Spaces' })).toEqual(['body.name']);
    expect(
      await problems({
        ...reminder,
        kind: 'buttons',
        buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', id: `b${i}`, title: `B${i}` })),
      }),
    ).toEqual(['body.buttons']);
    expect(await problems({ ...reminder, kind: 'list' })).toEqual(['body.list']);
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    expect(
      await problems({
        ...reminder,
        kind: 'list',
        list: { button: 'Pick', sections: [{ rows }, { rows }] },
      }),
    ).toEqual(['body.list.sections']);
  });
});

describe('the classifier', () => {
  it('has no rules until owners or editors set them; viewers read them', async () => {
    const t = await team();
    const base = `/projects/${t.projectId}/classifier`;
    expect((await api(base, { token: t.viewer.token })).body).toEqual({
      threshold: 0.7,
      rules: [],
    });
    const rules = {
      threshold: 0.75,
      rules: [{ profile_type: 'asylum', terms: ['asylum', 'refugee', 'international protection'] }],
    };
    expect((await api(base, { method: 'PUT', token: t.viewer.token, json: rules })).status).toBe(
      403,
    );
    const saved = await api(base, { method: 'PUT', token: t.editor.token, json: rules });
    expect(saved).toMatchObject({ status: 200, body: rules });
    expect((await api(base, { token: t.viewer.token })).body).toEqual(rules);
    const bad = await api(base, {
      method: 'PUT',
      token: t.owner.token,
      json: { threshold: 0, rules: [{ profile_type: 'Asylum', terms: [] }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.rules.0.profile_type',
      'body.rules.0.terms',
      'body.threshold',
    ]);
    expect((await api(base, { token: t.stranger.token })).status).toBe(404);
  });
});
