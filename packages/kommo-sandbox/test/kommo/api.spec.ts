import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountApi,
  accountWithToken,
  rawGet,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

type FieldList = {
  _total_items: number;
  _embedded: {
    custom_fields: {
      id: number;
      code: string | null;
      type: string;
      enums: { id: number; value: string }[] | null;
    }[];
  };
};

describe('Kommo API v4: addressing, account, custom fields, tags', () => {
  let h: Harness;
  let acme: TestAccount;
  const api = (method: string, path: string, body?: unknown, account: TestAccount = acme) =>
    accountApi(h, account, method, path, body);

  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    acme = await accountWithToken(h, {
      subdomain: 'acme',
      language: 'pt',
      timezone: 'America/Sao_Paulo',
    });
  });
  afterAll(() => h.close());

  it('finds the account by the Host header or by the /a/{subdomain} prefix', async () => {
    const ru = await accountWithToken(h, { subdomain: 'rusco', domain: 'amocrm.ru' });
    const byHost = await rawGet(h.base, '/api/v4/account', {
      host: `rusco.amocrm.ru:${new URL(h.base).port}`,
      authorization: `Bearer ${ru.token}`,
    });
    expect(byHost.status).toBe(200);
    const described = JSON.parse(byHost.body) as {
      subdomain: string;
      _links: { self: { href: string } };
    };
    expect(described.subdomain).toBe('rusco');
    expect(described._links.self.href).toBe(
      `http://rusco.amocrm.ru:${new URL(h.base).port}/api/v4/account`,
    );
    const byPrefix = await h.call('GET', '/a/acme/api/v4/account', { token: acme.token });
    expect(((await byPrefix.json()) as { id: number }).id).toBe(acme.accountId);
    const byFullHost = await h.call('GET', '/a/acme.kommo.com/api/v4/account', {
      token: acme.token,
    });
    expect(byFullHost.status).toBe(200);
    const unknown = await h.call('GET', '/api/v4/account', { token: acme.token });
    expect(unknown.status).toBe(404);
    // A token only opens its own account.
    expect((await h.call('GET', '/a/rusco/api/v4/account', { token: acme.token })).status).toBe(
      401,
    );
    const control = await h.control<{ base_url: string; host: string }>('GET', '/accounts/rusco');
    expect(control.body).toMatchObject({ base_url: `${h.base}/a/rusco`, host: 'rusco.amocrm.ru' });
  });

  it('describes the account with the token user as current_user_id', async () => {
    const response = await api('GET', '/api/v4/account?with=datetime_settings,amojo_id');
    const body = (await response.json()) as Record<string, unknown> & {
      _embedded: { datetime_settings: { timezone: string } };
    };
    expect(body).toMatchObject({
      id: acme.accountId,
      subdomain: 'acme',
      language: 'pt',
      timezone: 'America/Sao_Paulo',
    });
    expect(body.current_user_id).toEqual(expect.any(Number));
    expect(body.amojo_id).toEqual(expect.any(String));
    expect(body._embedded.datetime_settings.timezone).toBe('America/Sao_Paulo');
    const user = await api('GET', `/api/v4/users/${body.current_user_id as number}`);
    expect(((await user.json()) as { rights: { is_admin: boolean } }).rights.is_admin).toBe(true);
  });

  it('serves users with their rights to admins only, like Kommo', async () => {
    const added = await h.control<{ id: number }>('POST', `/accounts/${acme.accountId}/users`, {
      name: 'Manager',
    });
    const user = await api('GET', `/api/v4/users/${added.body.id}`);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({
      id: added.body.id,
      rights: {
        leads: { view: 'A' },
        mail_access: expect.any(Boolean) as unknown,
        catalog_access: expect.any(Boolean) as unknown,
        is_admin: false,
        is_free: false,
        is_active: true,
        group_id: null,
        role_id: null,
      },
    });
    const managerToken = await h.control<{ access_token: string }>(
      'POST',
      `/accounts/${acme.accountId}/tokens`,
      { user_id: added.body.id },
    );
    const asManager = (path: string) =>
      h.call('GET', `${acme.prefix}${path}`, { token: managerToken.body.access_token });
    expect((await asManager(`/api/v4/users/${added.body.id}`)).status).toBe(403);
    expect((await asManager('/api/v4/users')).status).toBe(403);
    // Anyone may read the account, which names the token's user.
    const account = await asManager('/api/v4/account');
    expect(account.status).toBe(200);
    expect(((await account.json()) as { current_user_id: number }).current_user_id).toBe(
      added.body.id,
    );
  });

  it('creates custom fields from an array, keeps codes unique and lists them in pages', async () => {
    const created = await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'Answer', type: 'textarea', code: 'GPT_ANSWER', sort: 10 },
      {
        name: 'Mode',
        type: 'select',
        code: 'GPT_MODE',
        enums: [{ value: 'auto' }, { value: 'manual' }],
      },
    ]);
    expect(created.status).toBe(200);
    const fields = ((await created.json()) as FieldList)._embedded.custom_fields;
    expect(fields.map((f) => f.code)).toEqual(['GPT_ANSWER', 'GPT_MODE']);
    expect(fields[1]?.enums?.map((e) => e.value)).toEqual(['auto', 'manual']);

    const duplicate = await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'Again', type: 'text', code: 'GPT_ANSWER' },
    ]);
    expect(duplicate.status).toBe(400);
    expect(
      ((await duplicate.json()) as ProblemBody)['validation-errors']?.[0]?.errors[0],
    ).toMatchObject({ code: 'NotUnique', path: 'code' });
    const noEnums = await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'Pick', type: 'select' },
    ]);
    expect(noEnums.status).toBe(400);

    const page = (await (
      await api('GET', '/api/v4/leads/custom_fields?limit=1&page=2')
    ).json()) as FieldList;
    expect(page._embedded.custom_fields.map((f) => f.code)).toEqual(['GPT_MODE']);
    expect(page._total_items).toBe(2);
  });

  it('stores a select value by enum text and answers with its enum_id', async () => {
    const created = (await (
      await api('POST', '/api/v4/leads/custom_fields', [
        {
          name: 'Mode',
          type: 'select',
          code: 'GPT_MODE',
          enums: [{ value: 'auto' }, { value: 'manual' }],
        },
      ])
    ).json()) as FieldList;
    const field = created._embedded.custom_fields[0];
    const lead = (await h.control<{ id: number }>('POST', `/accounts/${acme.accountId}/leads`, {}))
      .body.id;
    await api('PATCH', `/api/v4/leads/${lead}`, {
      custom_fields_values: [{ field_code: 'GPT_MODE', values: [{ value: 'manual' }] }],
    });
    const stored = await h.control<{
      fields: Record<string, unknown>;
      custom_fields_values: { values: { enum_id: number }[] }[];
    }>('GET', `/accounts/${acme.accountId}/leads/${lead}`);
    expect(stored.body.fields).toEqual({ GPT_MODE: 'manual' });
    expect(stored.body.custom_fields_values[0]?.values[0]?.enum_id).toBe(field?.enums?.[1]?.id);
    const wrong = await api('PATCH', `/api/v4/leads/${lead}`, {
      custom_fields_values: [{ field_id: field?.id, values: [{ value: 'nope' }] }],
    });
    expect(((await wrong.json()) as ProblemBody)['validation-errors']?.[0]?.errors[0]?.code).toBe(
      'NotSupportedChoice',
    );
  });

  it('lets only admins create fields (403 problem for a non-admin token)', async () => {
    const clerk = await accountWithToken(h, { subdomain: 'clerks', current_user_is_admin: false });
    const response = await api(
      'POST',
      '/api/v4/leads/custom_fields',
      [{ name: 'X', type: 'text' }],
      clerk,
    );
    expect(response.status).toBe(403);
    expect((await response.json()) as ProblemBody).toMatchObject({
      title: 'Forbidden',
      status: 403,
      type: 'https://httpstatus.es/403',
    });
    // Reading is fine for anyone; the list is empty → 204.
    expect((await api('GET', '/api/v4/leads/custom_fields', undefined, clerk)).status).toBe(204);
  });

  it('deletes a field through the control API so re-provisioning can be tested', async () => {
    await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'Answer', type: 'textarea', code: 'GPT_ANSWER' },
    ]);
    const deleted = await h.control(
      'DELETE',
      `/accounts/${acme.accountId}/custom-fields/GPT_ANSWER`,
    );
    expect(deleted.status).toBe(204);
    expect((await api('GET', '/api/v4/leads/custom_fields')).status).toBe(204);
    const again = await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'Answer', type: 'textarea', code: 'GPT_ANSWER' },
    ]);
    expect(again.status).toBe(200);
  });

  it('creates tags and filters them by name', async () => {
    expect((await api('GET', '/api/v4/leads/tags')).status).toBe(204);
    const created = await api('POST', '/api/v4/leads/tags', [{ name: 'ai' }, { name: 'vip' }]);
    const tags = ((await created.json()) as { _embedded: { tags: { id: number; name: string }[] } })
      ._embedded.tags;
    expect(tags.map((t) => t.name)).toEqual(['ai', 'vip']);
    const found = (await (await api('GET', '/api/v4/leads/tags?filter[name]=vip')).json()) as {
      _embedded: { tags: { id: number }[] };
    };
    expect(found._embedded.tags.map((t) => t.id)).toEqual([tags[1]?.id]);
    const blank = await api('POST', '/api/v4/leads/tags', [{ color: 'red' }]);
    expect(blank.status).toBe(400);
  });

  it('answers invalid JSON and a missing token with problem+json', async () => {
    const invalid = await h.call('PATCH', `${acme.prefix}/api/v4/leads/1`, {
      token: acme.token,
      headers: { 'content-type': 'application/json' },
    });
    expect(invalid.status).toBe(400);
    const broken = await fetch(`${h.base}${acme.prefix}/api/v4/leads`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.token}` },
      body: '{oops',
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toContain('application/problem+json');
    const anonymous = await h.call('GET', `${acme.prefix}/api/v4/leads`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ProblemBody).detail).toBe('Invalid user name or password');
  });
});
