import { describe, expect, it } from 'vitest';
import { DEMO_CRM_ENCRYPTION_KEY } from '../../../../scripts/local/keys.ts';
import { tokenCipher } from '../../../../shared/crm/token-cipher.ts';
import { crmFixtures, newPhoneNumberId, useCrmApi } from './helpers.ts';

const fx = useCrmApi();
const { team, channel, client, api, sql } = crmFixtures(fx);
const cipher = tokenCipher(DEMO_CRM_ENCRYPTION_KEY);
const TOKEN = 'EAAGm0PX4ZCpsBAsecret-token-value';

describe('channels: connecting a WhatsApp number', () => {
  it('seals the access token, never returns or logs it, and lets only the owner manage it', async () => {
    const t = await team();
    const phoneNumberId = newPhoneNumberId();
    const base = `/projects/${t.projectId}/channels`;
    const json = { phone_number_id: phoneNumberId, name: 'Front desk', access_token: TOKEN };
    expect((await api(base, { token: t.editor.token, json })).status).toBe(403);
    expect((await api(base, { token: t.stranger.token, json })).status).toBe(404);
    const created = await api(base, { token: t.owner.token, json });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phone_number_id: phoneNumberId, name: 'Front desk' });
    expect(JSON.stringify(created.body)).not.toContain(TOKEN);

    const [row] =
      await sql()`select access_token from public.crm_channels where id = ${created.body.id}`;
    expect(row!.access_token).toMatch(/^v1\./);
    expect(row!.access_token).not.toContain(TOKEN);
    expect(await cipher.open(row!.access_token, created.body.id)).toBe(TOKEN);
    // Bound to its channel: the same ciphertext does not open as another's.
    await expect(cipher.open(row!.access_token, t.projectId)).rejects.toThrow('does not open');

    const listed = await api(base, { token: t.viewer.token });
    expect(listed.body.data).toEqual([created.body]);
    expect(JSON.stringify(listed.body)).not.toMatch(/access_token|v1\./);

    // Members cannot read the column even in SQL through their own role.
    const [denied] = await sql()`
      select has_column_privilege('authenticated', 'public.crm_channels', 'access_token', 'select') as can`;
    expect(denied!.can).toBe(false);

    const again = await api(base, { token: t.owner.token, json });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].path).toBe('body.phone_number_id');

    const rotated = await api(`${base}/${created.body.id}`, {
      method: 'PATCH',
      token: t.owner.token,
      json: { access_token: 'EAA-rotated' },
    });
    expect(rotated.status).toBe(200);
    const [after] =
      await sql()`select access_token from public.crm_channels where id = ${created.body.id}`;
    expect(await cipher.open(after!.access_token, created.body.id)).toBe('EAA-rotated');
    const renamed = await api(`${base}/${created.body.id}`, {
      method: 'PATCH',
      token: t.owner.token,
      json: { name: 'Reception' },
    });
    expect(renamed.body.name).toBe('Reception');
    const [kept] =
      await sql()`select access_token from public.crm_channels where id = ${created.body.id}`;
    expect(kept!.access_token).toBe(after!.access_token);

    const audit = await sql()`
      select action, metadata from public.audit_log where target_id = ${created.body.id} order by id`;
    expect(audit.map((a) => a.action)).toEqual([
      'crm.channel_connected',
      'crm.channel_updated',
      'crm.channel_updated',
    ]);
    expect(JSON.stringify(audit)).not.toContain('EAA');

    expect(
      (await api(`${base}/${created.body.id}`, { method: 'DELETE', token: t.editor.token })).status,
    ).toBe(403);
    expect(
      (await api(`${base}/${created.body.id}`, { method: 'DELETE', token: t.owner.token })).status,
    ).toBe(204);
    expect((await api(base, { token: t.owner.token })).body.data).toEqual([]);
  });

  it('sends only through a number of the same project', async () => {
    const t = await team();
    const other = await team();
    const foreign = await channel(other);
    const own = await channel(t);
    const clientId = await client(t.projectId, { channelId: own, inboundAt: new Date() });
    const res = await api(`/projects/${t.projectId}/clients/${clientId}/messages`, {
      token: t.owner.token,
      json: { type: 'text', text: 'Hello', channel_id: foreign },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: 'body.channel_id', message: 'No such number in this project' },
    ]);
  });
});
