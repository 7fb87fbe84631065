import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountApi,
  accountWithToken,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

type ApiLead = {
  id: number;
  name: string;
  updated_at: number;
  custom_fields_values:
    | {
        field_id: number;
        field_code: string | null;
        values: { value: unknown; enum_id?: number }[];
      }[]
    | null;
  _embedded: { tags: { id: number; name: string }[] };
};
type Field = { id: number; code: string | null; type: string };

describe('Kommo API v4 leads', () => {
  let h: Harness;
  let acme: TestAccount;
  let textField: Field;
  let areaField: Field;
  let leadId = 0;
  const api = (method: string, path: string, body?: unknown) =>
    accountApi(h, acme, method, path, body);
  const lead = async (id = leadId) =>
    (await (await api('GET', `/api/v4/leads/${id}`)).json()) as ApiLead;
  const tagNames = async (id = leadId) => (await lead(id))._embedded.tags.map((t) => t.name).sort();

  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    acme = await accountWithToken(h, { subdomain: 'acme' });
    const created = await api('POST', '/api/v4/leads/custom_fields', [
      { name: 'AI answer (short)', type: 'text', code: 'GPT_SHORT' },
      { name: 'AI answer', type: 'textarea', code: 'GPT_ANSWER' },
    ]);
    [textField, areaField] = ((await created.json()) as { _embedded: { custom_fields: Field[] } })
      ._embedded.custom_fields as [Field, Field];
    leadId = (
      await h.control<{ id: number }>('POST', `/accounts/${acme.accountId}/leads`, {
        name: 'Deal',
        tags: ['old'],
      })
    ).body.id;
  });
  afterAll(() => h.close());

  it('patches one lead: a value by field_id and by field_code, and clears with null values', async () => {
    const response = await api('PATCH', `/api/v4/leads/${leadId}`, {
      name: 'Renamed',
      custom_fields_values: [
        { field_id: textField.id, values: [{ value: 'short' }] },
        { field_code: 'GPT_ANSWER', values: [{ value: 'long answer' }] },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/hal+json');
    expect(((await response.json()) as ApiLead).id).toBe(leadId);
    const after = await lead();
    expect(after.name).toBe('Renamed');
    expect(after.custom_fields_values).toEqual([
      expect.objectContaining({
        field_id: textField.id,
        field_code: 'GPT_SHORT',
        values: [{ value: 'short' }],
      }),
      expect.objectContaining({ field_id: areaField.id, values: [{ value: 'long answer' }] }),
    ]);
    await api('PATCH', `/api/v4/leads/${leadId}`, {
      custom_fields_values: [{ field_id: textField.id, values: null }],
    });
    expect((await lead()).custom_fields_values?.map((v) => v.field_id)).toEqual([areaField.id]);
  });

  it('clears a field only with values: null; an empty string, a null value or [] change nothing', async () => {
    const set = (values: unknown) =>
      api('PATCH', `/api/v4/leads/${leadId}`, {
        custom_fields_values: [{ field_id: textField.id, values }],
      });
    const short = async () =>
      (await lead()).custom_fields_values?.find((v) => v.field_id === textField.id)?.values;
    expect((await set([{ value: 'kept' }])).status).toBe(200);
    for (const ignored of [[{ value: '' }], [{ value: null }], []]) {
      expect((await set(ignored)).status).toBe(200);
      expect(await short()).toEqual([{ value: 'kept' }]);
    }
    expect((await set(null)).status).toBe(200);
    expect(await short()).toBeUndefined();
  });

  it('rejects a text value over 256 characters with a validation error, but textarea takes it', async () => {
    const long = 'x'.repeat(257);
    const rejected = await api('PATCH', `/api/v4/leads/${leadId}`, {
      custom_fields_values: [{ field_id: textField.id, values: [{ value: long }] }],
    });
    expect(rejected.status).toBe(400);
    const body = (await rejected.json()) as ProblemBody;
    expect(body['validation-errors']?.[0]).toEqual({
      request_id: '0',
      errors: [
        {
          code: 'TooLong',
          path: 'custom_fields_values.0.values.0.value',
          detail: expect.any(String) as string,
        },
      ],
    });
    const exact = await api('PATCH', `/api/v4/leads/${leadId}`, {
      custom_fields_values: [{ field_id: textField.id, values: [{ value: 'y'.repeat(256) }] }],
    });
    expect(exact.status).toBe(200);
    const accepted = await api('PATCH', `/api/v4/leads/${leadId}`, {
      custom_fields_values: [{ field_id: areaField.id, values: [{ value: 'z'.repeat(5000) }] }],
    });
    expect(accepted.status).toBe(200);
  });

  it('rejects an unknown field id with NotSupportedChoice and writes nothing', async () => {
    const response = await api('PATCH', `/api/v4/leads/${leadId}`, {
      name: 'Should not stick',
      custom_fields_values: [{ field_id: 999, values: [{ value: 'x' }] }],
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json()) as ProblemBody).toMatchObject({
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: 'Request validation failed',
      'validation-errors': [
        {
          request_id: '0',
          errors: [{ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_id' }],
        },
      ],
    });
    expect((await lead()).name).toBe('Deal');
  });

  it('answers an empty body with "Request data can not be empty"', async () => {
    for (const [method, path, body] of [
      ['PATCH', `/api/v4/leads/${leadId}`, undefined],
      ['PATCH', '/api/v4/leads', []],
      ['POST', '/api/v4/leads/custom_fields', undefined],
    ] as const) {
      const response = await h.call(method, `${acme.prefix}${path}`, {
        token: acme.token,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ProblemBody).detail).toBe('Request data can not be empty');
    }
  });

  it('replaces the tag set with _embedded.tags, which wins over tags_to_add', async () => {
    await api('PATCH', `/api/v4/leads/${leadId}`, {
      _embedded: { tags: [{ name: 'ai' }, { name: 'vip' }] },
      tags_to_add: [{ name: 'ignored' }],
    });
    expect(await tagNames()).toEqual(['ai', 'vip']);
    await api('PATCH', `/api/v4/leads/${leadId}`, { _embedded: { tags: null } });
    expect(await tagNames()).toEqual([]);
  });

  it('adds and deletes tags without touching the others', async () => {
    await api('PATCH', `/api/v4/leads/${leadId}`, {
      tags_to_add: [{ name: 'ai' }, { name: 'new' }],
    });
    expect(await tagNames()).toEqual(['ai', 'new', 'old']);
    const oldId = (await lead())._embedded.tags.find((t) => t.name === 'old')?.id;
    await api('PATCH', `/api/v4/leads/${leadId}`, {
      tags_to_delete: [{ id: oldId }, { name: 'new' }],
    });
    expect(await tagNames()).toEqual(['ai']);
  });

  it('patches a batch and answers _embedded.leads; one bad item rejects the whole batch', async () => {
    const second = (
      await h.control<{ id: number }>('POST', `/accounts/${acme.accountId}/leads`, { name: 'Two' })
    ).body.id;
    const ok = await api('PATCH', '/api/v4/leads', [
      { id: leadId, tags_to_add: [{ name: 'batch' }] },
      {
        id: second,
        custom_fields_values: [{ field_code: 'GPT_SHORT', values: [{ value: 'hi' }] }],
      },
    ]);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      _embedded: { leads: { id: number; updated_at: number }[] };
    };
    expect(body._embedded.leads.map((l) => l.id)).toEqual([leadId, second]);
    expect(await tagNames()).toEqual(['batch', 'old']);

    const bad = await api('PATCH', '/api/v4/leads', [
      { id: leadId, name: 'changed' },
      { id: 42, name: 'missing' },
    ]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ProblemBody)['validation-errors']?.[0]?.request_id).toBe('1');
    expect((await lead()).name).toBe('Deal');
  });

  it('lists leads in pages with _links.next and answers 204 past the end and on empty lists', async () => {
    for (let i = 0; i < 4; i += 1) {
      await h.control('POST', `/accounts/${acme.accountId}/leads`, { name: `L${i}` });
    }
    const first = await api('GET', '/api/v4/leads?limit=2');
    const page1 = (await first.json()) as {
      _page: number;
      _links: { self: { href: string }; next?: { href: string } };
      _embedded: { leads: ApiLead[] };
    };
    expect(page1._embedded.leads).toHaveLength(2);
    expect(page1._links.self.href).toBe(`${h.base}${acme.prefix}/api/v4/leads?page=1&limit=2`);
    const page3 = await fetch(page1._links.next?.href.replace('page=2', 'page=3') ?? '', {
      headers: { authorization: `Bearer ${acme.token}` },
    });
    const body3 = (await page3.json()) as {
      _links: { next?: unknown };
      _embedded: { leads: ApiLead[] };
    };
    expect(body3._embedded.leads).toHaveLength(1);
    expect(body3._links.next).toBeUndefined();
    expect((await api('GET', '/api/v4/leads?page=4&limit=2')).status).toBe(204);
    const tooMany = await api('GET', '/api/v4/leads?limit=251');
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as ProblemBody).detail).toBe('Limit 250 per page');
    expect((await api('GET', '/api/v4/leads/notes')).status).toBe(204);
    expect((await api('GET', '/api/v4/leads?filter[id][]=1')).status).toBe(204);
    expect((await api('GET', '/api/v4/leads/123')).status).toBe(204);
  });

  it('creates notes on a lead (both routes) and lists them', async () => {
    const one = await api('POST', `/api/v4/leads/${leadId}/notes`, [
      { note_type: 'common', params: { text: 'hello' } },
    ]);
    expect(one.status).toBe(200);
    const two = await api('POST', '/api/v4/leads/notes', [
      {
        entity_id: leadId,
        note_type: 'extended_service_message',
        params: { service: 'GPT Bridge', text: 'AI replied' },
      },
    ]);
    expect(
      ((await two.json()) as { _embedded: { notes: { entity_id: number }[] } })._embedded.notes[0]
        ?.entity_id,
    ).toBe(leadId);
    const list = (await (await api('GET', `/api/v4/leads/${leadId}/notes`)).json()) as {
      _embedded: { notes: { note_type: string }[] };
    };
    expect(list._embedded.notes.map((n) => n.note_type)).toEqual([
      'common',
      'extended_service_message',
    ]);
    const bad = await api('POST', `/api/v4/leads/${leadId}/notes`, [
      { note_type: 'sms_in', params: { text: 'x' } },
    ]);
    expect(((await bad.json()) as ProblemBody)['validation-errors']?.[0]?.errors[0]?.code).toBe(
      'NotSupportedChoice',
    );
  });
});
