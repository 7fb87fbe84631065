import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountApi,
  accountWithToken,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

// What issue 23's extraction writes into a lead (docs/kommo-contract.md §9): typed custom field
// values, a stage move, tags, a task; and that each call counts against the rate limit.

type Enum = { id: number; value: string; sort: number };
type Field = { id: number; name: string; code: string | null; type: string; enums: Enum[] | null };
type Status = { id: number; name: string; type: number; pipeline_id: number };
type Pipeline = { id: number; name: string; is_main: boolean; _embedded: { statuses: Status[] } };
type ApiLead = {
  id: number;
  status_id: number;
  pipeline_id: number;
  responsible_user_id: number;
  closed_at: number | null;
  closest_task_at: number | null;
  custom_fields_values:
    { field_id: number; values: { value: unknown; enum_id?: number }[] }[] | null;
  _embedded: { tags: { id: number; name: string }[] };
};
type Task = {
  id: number;
  text: string;
  complete_till: number;
  entity_id: number;
  entity_type: string;
  task_type_id: number;
  responsible_user_id: number;
  is_completed: boolean;
};

const FIELD_SPECS = [
  { name: 'Email', type: 'text', code: 'EMAIL_X' },
  { name: 'Budget', type: 'numeric', code: 'BUDGET' },
  {
    name: 'Interest',
    type: 'select',
    code: 'INTEREST',
    enums: [{ value: 'Basic' }, { value: 'Pro' }],
  },
  {
    name: 'Channels',
    type: 'multiselect',
    code: 'CHANNELS',
    enums: [{ value: 'WhatsApp' }, { value: 'Email' }, { value: 'Phone' }],
  },
  { name: 'Meeting day', type: 'date', code: 'MEETING_DAY' },
  { name: 'Wants a call', type: 'checkbox', code: 'WANTS_CALL' },
  { name: 'Website', type: 'url', code: 'SITE' },
];

describe('Kommo API v4: what an extraction writes into a lead (§9)', () => {
  let h: Harness;
  let acme: TestAccount;
  let fields: Record<string, Field>;
  let leadId = 0;
  const api = (method: string, path: string, body?: unknown) =>
    accountApi(h, acme, method, path, body);
  const readLead = async () =>
    (await (await api('GET', `/api/v4/leads/${leadId}`)).json()) as ApiLead;
  const valuesOf = async (code: string) => {
    const lead = await readLead();
    const field = fields[code];
    return lead.custom_fields_values?.find((v) => v.field_id === field?.id)?.values ?? null;
  };
  const patch = (body: Record<string, unknown>) => api('PATCH', `/api/v4/leads/${leadId}`, body);
  const put = (code: string, values: unknown) =>
    patch({ custom_fields_values: [{ field_code: code, values }] });
  const errorsOf = async (response: Response) =>
    ((await response.json()) as ProblemBody)['validation-errors']?.flatMap((g) => g.errors) ?? [];
  const pipelines = async () =>
    (
      (await (await api('GET', '/api/v4/leads/pipelines')).json()) as {
        _embedded: { pipelines: Pipeline[] };
      }
    )._embedded.pipelines;

  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    acme = await accountWithToken(h, {
      subdomain: 'acme',
      users: [{ name: 'Owner', is_admin: true }, { name: 'Seller' }],
    });
    const created = await api('POST', '/api/v4/leads/custom_fields', FIELD_SPECS);
    expect(created.status).toBe(200);
    const list = ((await created.json()) as { _embedded: { custom_fields: Field[] } })._embedded
      .custom_fields;
    fields = Object.fromEntries(list.map((f) => [f.code ?? '', f]));
    leadId = (await h.control<{ id: number }>('POST', `/accounts/acme/leads`, { name: 'Ana' })).body
      .id;
  });
  afterAll(() => h.close());

  describe('custom fields of each type', () => {
    it('lists the fields with enums for select and multiselect only, and filters by type', async () => {
      const response = await api('GET', '/api/v4/leads/custom_fields');
      const listed = ((await response.json()) as { _embedded: { custom_fields: Field[] } })
        ._embedded.custom_fields;
      expect(listed.map((f) => f.type)).toEqual(FIELD_SPECS.map((f) => f.type));
      const byCode: Record<string, Field> = Object.fromEntries(
        listed.map((f) => [f.code ?? '', f]),
      );
      expect(byCode.INTEREST?.enums?.map((e) => e.value)).toEqual(['Basic', 'Pro']);
      expect(byCode.CHANNELS?.enums).toHaveLength(3);
      expect(byCode.INTEREST?.enums?.[0]?.id).toEqual(expect.any(Number));
      for (const code of ['EMAIL_X', 'BUDGET', 'MEETING_DAY', 'WANTS_CALL', 'SITE']) {
        expect(byCode[code]?.enums).toBeNull();
      }
      const filtered = await api(
        'GET',
        '/api/v4/leads/custom_fields?filter[type][]=select&filter[type][]=multiselect',
      );
      const types = ((await filtered.json()) as { _embedded: { custom_fields: Field[] } })._embedded
        .custom_fields;
      expect(types.map((f) => f.code)).toEqual(['INTEREST', 'CHANNELS']);
    });

    it('creates fields of each type through the control API too', async () => {
      const made = await h.control<Field>('POST', '/accounts/acme/custom-fields', {
        name: 'Plan',
        type: 'select',
        code: 'PLAN',
        enums: [{ value: 'Monthly' }, { value: 'Yearly' }],
      });
      expect(made.status).toBe(201);
      expect(made.body.enums?.map((e) => e.value)).toEqual(['Monthly', 'Yearly']);
    });

    it('stores a valid value of every type in one PATCH', async () => {
      const pro = fields.INTEREST?.enums?.[1];
      const [whatsapp, , phone] = fields.CHANNELS?.enums ?? [];
      const response = await patch({
        custom_fields_values: [
          { field_code: 'EMAIL_X', values: [{ value: 'ana@example.com' }] },
          { field_code: 'BUDGET', values: [{ value: '5000.50' }] },
          { field_code: 'INTEREST', values: [{ enum_id: pro?.id }] },
          { field_code: 'CHANNELS', values: [{ enum_id: whatsapp?.id }, { value: 'Phone' }] },
          { field_code: 'MEETING_DAY', values: [{ value: 1_796_688_000 }] },
          { field_code: 'WANTS_CALL', values: [{ value: true }] },
          { field_code: 'SITE', values: [{ value: 'https://ana.example.com' }] },
        ],
      });
      expect(response.status).toBe(200);
      expect(await valuesOf('EMAIL_X')).toEqual([{ value: 'ana@example.com' }]);
      expect(await valuesOf('BUDGET')).toEqual([{ value: '5000.50' }]);
      expect(await valuesOf('INTEREST')).toEqual([{ value: 'Pro', enum_id: pro?.id }]);
      expect(await valuesOf('CHANNELS')).toEqual([
        { value: 'WhatsApp', enum_id: whatsapp?.id },
        { value: 'Phone', enum_id: phone?.id },
      ]);
      expect(await valuesOf('MEETING_DAY')).toEqual([{ value: 1_796_688_000 }]);
      expect(await valuesOf('WANTS_CALL')).toEqual([{ value: true }]);
      expect(await valuesOf('SITE')).toEqual([{ value: 'https://ana.example.com' }]);
    });

    it('takes numeric as a number, select by its text, a date as RFC 3339, and a new multiselect list replaces the old', async () => {
      expect((await put('BUDGET', [{ value: 5000 }])).status).toBe(200);
      expect(await valuesOf('BUDGET')).toEqual([{ value: 5000 }]);
      expect((await put('INTEREST', [{ value: 'Basic' }])).status).toBe(200);
      expect((await valuesOf('INTEREST'))?.[0]?.value).toBe('Basic');
      expect((await put('MEETING_DAY', [{ value: '2026-12-08T10:00:00+00:00' }])).status).toBe(200);
      expect(await valuesOf('MEETING_DAY')).toEqual([{ value: 1_796_724_000 }]);
      await put('CHANNELS', [{ value: 'WhatsApp' }, { value: 'Email' }]);
      await put('CHANNELS', [{ value: 'Email' }]);
      expect((await valuesOf('CHANNELS'))?.map((v) => v.value)).toEqual(['Email']);
    });

    it.each([
      ['BUDGET', [{ value: 'five thousand' }], 'InvalidType', 'values.0.value'],
      ['BUDGET', [{ value: true }], 'InvalidType', 'values.0.value'],
      ['INTEREST', [{ value: 'Enterprise' }], 'NotSupportedChoice', 'values.0.value'],
      ['INTEREST', [{ enum_id: 1 }], 'NotSupportedChoice', 'values.0.value'],
      ['INTEREST', [{ value: 'Basic' }, { value: 'Pro' }], 'InvalidValue', 'values'],
      [
        'CHANNELS',
        [{ value: 'Email' }, { value: 'Telegram' }],
        'NotSupportedChoice',
        'values.1.value',
      ],
      ['MEETING_DAY', [{ value: 'next Tuesday' }], 'InvalidType', 'values.0.value'],
      ['MEETING_DAY', [{ value: '08/12/2026' }], 'InvalidType', 'values.0.value'],
      ['WANTS_CALL', [{ value: 'yes' }], 'InvalidType', 'values.0.value'],
      ['WANTS_CALL', [{ value: 1 }], 'InvalidType', 'values.0.value'],
      ['SITE', [{ value: { href: 'x' } }], 'InvalidType', 'values.0.value'],
      ['EMAIL_X', [{ value: 'x'.repeat(257) }], 'TooLong', 'values.0.value'],
      ['EMAIL_X', [{ value: 'a', enum_code: 'A' }], 'FieldNotExpected', 'values.0.enum_code'],
    ])(
      'refuses %s = %j with %s at its path, and writes nothing else of that PATCH',
      async (code, values, errorCode, path) => {
        const response = await patch({
          name: 'Changed',
          custom_fields_values: [
            { field_code: 'SITE', values: [{ value: 'https://kept-out.example' }] },
            { field_code: code, values },
          ],
        });
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const body = (await response.clone().json()) as ProblemBody;
        expect(body.detail).toBe('Request validation failed');
        expect(body['validation-errors']?.[0]?.request_id).toBe('0');
        expect(await errorsOf(response)).toEqual([
          expect.objectContaining({ code: errorCode, path: `custom_fields_values.1.${path}` }),
        ]);
        const lead = await readLead();
        expect(lead.custom_fields_values).toBeNull();
        expect((lead as unknown as { name: string }).name).toBe('Ana');
      },
    );

    it('refuses an unknown field id at custom_fields_values.N.field_id', async () => {
      const response = await patch({
        custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }],
      });
      expect(response.status).toBe(400);
      expect(await errorsOf(response)).toEqual([
        expect.objectContaining({
          code: 'NotSupportedChoice',
          path: 'custom_fields_values.0.field_id',
        }),
      ]);
    });
  });

  describe('pipelines and statuses', () => {
    it('seeds a main pipeline with an incoming stage, working stages and 142/143', async () => {
      const [main, ...others] = await pipelines();
      expect(others).toEqual([]);
      expect(main).toMatchObject({ name: 'Sales pipeline', is_main: true, is_archive: false });
      const statuses = main?._embedded.statuses ?? [];
      expect(statuses[0]).toMatchObject({ name: 'Incoming leads', type: 1 });
      expect(statuses.map((s) => s.id)).toEqual(expect.arrayContaining([142, 143]));
      expect(statuses.every((s) => s.pipeline_id === main?.id)).toBe(true);
      // A new lead lands in the first working stage of the main pipeline.
      const lead = await readLead();
      expect(lead.pipeline_id).toBe(main?.id);
      expect(lead.status_id).toBe(statuses[1]?.id);

      const one = await api('GET', `/api/v4/leads/pipelines/${main?.id}/statuses`);
      const listed = ((await one.json()) as { _embedded: { statuses: Status[] } })._embedded
        .statuses;
      expect(listed.map((s) => s.id)).toEqual(statuses.map((s) => s.id));
      const status = await api('GET', `/api/v4/leads/pipelines/${main?.id}/statuses/142`);
      expect(((await status.json()) as Status).name).toBe('Closed - won');
      expect((await api('GET', '/api/v4/leads/pipelines/999')).status).toBe(204);
    });

    it('moves a lead within its pipeline, to another pipeline with both ids, and to won', async () => {
      const made = await h.control<Pipeline>('POST', '/accounts/acme/pipelines', {
        name: 'Meetings',
        statuses: [{ name: 'Meeting booked' }, { name: 'Met' }],
      });
      expect(made.status).toBe(201);
      const [main, meetings] = await pipelines();
      const mainStatuses = main?._embedded.statuses ?? [];
      const booked = meetings?._embedded.statuses.find((s) => s.name === 'Meeting booked');

      expect((await patch({ status_id: mainStatuses[2]?.id })).status).toBe(200);
      expect((await readLead()).status_id).toBe(mainStatuses[2]?.id);

      expect((await patch({ pipeline_id: meetings?.id, status_id: booked?.id })).status).toBe(200);
      let lead = await readLead();
      expect([lead.pipeline_id, lead.status_id]).toEqual([meetings?.id, booked?.id]);
      expect(lead.closed_at).toBeNull();

      expect((await patch({ status_id: 142, pipeline_id: meetings?.id })).status).toBe(200);
      lead = await readLead();
      expect(lead.status_id).toBe(142);
      expect(lead.closed_at).toEqual(expect.any(Number));
    });

    it('refuses an unknown status, a status of another pipeline and an unknown pipeline', async () => {
      await h.control('POST', '/accounts/acme/pipelines', { name: 'Other' });
      const [main, other] = await pipelines();
      const before = await readLead();
      const otherStatus = other?._embedded.statuses.find(
        (s) => s.type === 0 && s.id !== 142 && s.id !== 143,
      );
      const cases: [Record<string, unknown>, string][] = [
        [{ status_id: 999_999 }, 'status_id'],
        [{ status_id: otherStatus?.id }, 'status_id'],
        [{ status_id: otherStatus?.id, pipeline_id: main?.id }, 'status_id'],
        [{ pipeline_id: 999_999, status_id: 142 }, 'pipeline_id'],
      ];
      for (const [body, path] of cases) {
        const response = await patch({ ...body, tags_to_add: [{ name: 'moved' }] });
        expect(response.status).toBe(400);
        expect(await errorsOf(response)).toEqual([
          expect.objectContaining({ code: 'NotSupportedChoice', path }),
        ]);
      }
      const after = await readLead();
      expect([after.pipeline_id, after.status_id]).toEqual([before.pipeline_id, before.status_id]);
      expect(after._embedded.tags).toEqual([]);
    });
  });

  describe('tags, users, tasks', () => {
    it('adds tags by name (creating them) and id, and deletes by name and id, leaving the others', async () => {
      const existing = await api('POST', '/api/v4/leads/tags', [{ name: 'vip' }, { name: 'cold' }]);
      const [vip, cold] = ((await existing.json()) as { _embedded: { tags: { id: number }[] } })
        ._embedded.tags;
      await h.control('POST', '/accounts/acme/leads', {});
      expect(
        (await patch({ tags_to_add: [{ name: 'Meeting' }, { id: vip?.id }, { id: cold?.id }] }))
          .status,
      ).toBe(200);
      expect((await readLead())._embedded.tags.map((t) => t.name).sort()).toEqual([
        'Meeting',
        'cold',
        'vip',
      ]);
      expect(
        (await patch({ tags_to_delete: [{ name: 'meeting' }, { id: cold?.id }, { name: 'nope' }] }))
          .status,
      ).toBe(200);
      expect((await readLead())._embedded.tags.map((t) => t.name)).toEqual(['vip']);
      const unknown = await patch({ tags_to_add: [{ id: 1 }] });
      expect(unknown.status).toBe(400);
      expect(await errorsOf(unknown)).toEqual([
        expect.objectContaining({ code: 'NotSupportedChoice', path: 'tags_to_add.0.id' }),
      ]);
    });

    it('lists the users, the responsible user of the lead among them; an unknown one is refused', async () => {
      const users = (
        (await (await api('GET', '/api/v4/users')).json()) as {
          _embedded: { users: { id: number; name: string }[] };
        }
      )._embedded.users;
      expect(users.map((u) => u.name)).toEqual(['Owner', 'Seller']);
      const lead = await readLead();
      expect(users.map((u) => u.id)).toContain(lead.responsible_user_id);
      const seller = users[1]?.id;
      expect((await patch({ responsible_user_id: seller })).status).toBe(200);
      expect((await readLead()).responsible_user_id).toBe(seller);
      const refused = await patch({ responsible_user_id: 12_345 });
      expect(refused.status).toBe(400);
      expect(await errorsOf(refused)).toEqual([
        expect.objectContaining({ code: 'NotSupportedChoice', path: 'responsible_user_id' }),
      ]);
    });

    it('creates a task on the lead, lists it with filters and completes it', async () => {
      const types = await api('GET', '/api/v4/account?with=task_types');
      const taskTypes = ((await types.json()) as { _embedded: { task_types: { id: number }[] } })
        ._embedded.task_types;
      expect(taskTypes.map((t) => t.id)).toEqual([1, 2]);
      const responsible = (await readLead()).responsible_user_id;
      const created = await api('POST', '/api/v4/tasks', [
        {
          text: 'Meet Ana on Tuesday',
          complete_till: 1_796_724_000,
          entity_id: leadId,
          entity_type: 'leads',
          task_type_id: 2,
          responsible_user_id: responsible,
          request_id: 'meet',
        },
        {
          text: 'Call back',
          complete_till: 1_796_810_400,
          entity_id: leadId,
          entity_type: 'leads',
        },
      ]);
      expect(created.status).toBe(200);
      const ids = (
        (await created.json()) as {
          _embedded: { tasks: { id: number; request_id: string }[] };
        }
      )._embedded.tasks;
      expect(ids.map((t) => t.request_id)).toEqual(['meet', '1']);
      expect((await readLead()).closest_task_at).toBe(1_796_724_000);

      const list = async (query: string) => {
        const response = await api('GET', `/api/v4/tasks?${query}`);
        if (response.status === 204) return [];
        return ((await response.json()) as { _embedded: { tasks: Task[] } })._embedded.tasks;
      };
      const open = await list(
        `filter[entity_type]=leads&filter[entity_id][]=${leadId}&filter[is_completed]=0`,
      );
      expect(open.map((t) => t.text)).toEqual(['Meet Ana on Tuesday', 'Call back']);
      expect(open[0]).toMatchObject({
        entity_type: 'leads',
        task_type_id: 2,
        responsible_user_id: responsible,
        is_completed: false,
      });
      expect(open[1]?.task_type_id).toBe(1);
      expect((await list('filter[task_type][]=2')).map((t) => t.id)).toEqual([ids[0]?.id]);
      expect(await list('filter[entity_id][]=1')).toEqual([]);

      const done = await api('PATCH', `/api/v4/tasks/${ids[0]?.id}`, {
        is_completed: true,
        result: { text: 'Met' },
      });
      expect(done.status).toBe(200);
      expect(
        (await list(`filter[entity_id]=${leadId}&filter[is_completed]=1`)).map((t) => t.id),
      ).toEqual([ids[0]?.id]);
      expect((await readLead()).closest_task_at).toBe(1_796_810_400);
    });

    it('refuses bad tasks with validation errors per item and creates none of the batch', async () => {
      const response = await api('POST', '/api/v4/tasks', [
        { text: 'ok', complete_till: 1_796_724_000, entity_id: leadId, entity_type: 'leads' },
        { complete_till: 'tomorrow', entity_id: leadId, entity_type: 'leads' },
        { text: 'x', complete_till: 1, entity_id: 1, entity_type: 'leads', task_type_id: 99 },
        {
          text: 'x',
          complete_till: 1,
          entity_id: leadId,
          entity_type: 'contacts',
          responsible_user_id: 5,
        },
      ]);
      expect(response.status).toBe(400);
      const body = (await response.json()) as ProblemBody;
      const groups = body['validation-errors'] ?? [];
      expect(groups.map((g) => g.request_id)).toEqual(['1', '2', '3']);
      const codes = groups.map((g) => g.errors.map((e) => `${e.code}@${e.path}`));
      expect(codes).toEqual([
        ['NotBlank@text', 'InvalidType@complete_till'],
        ['NotSupportedChoice@entity_id', 'NotSupportedChoice@task_type_id'],
        ['NotSupportedChoice@entity_type', 'NotSupportedChoice@responsible_user_id'],
      ]);
      expect((await api('GET', '/api/v4/tasks')).status).toBe(204);
      expect((await api('POST', '/api/v4/tasks', [])).status).toBe(400);
    });
  });

  it('shows the stage, tags, field values and tasks to the person watching the chat page', async () => {
    const [main] = await pipelines();
    const discussions = main?._embedded.statuses.find((s) => s.name === 'Discussions');
    await patch({
      status_id: discussions?.id,
      pipeline_id: main?.id,
      tags_to_add: [{ name: 'Meeting' }],
      custom_fields_values: [
        { field_code: 'INTEREST', values: [{ value: 'Pro' }] },
        { field_code: 'MEETING_DAY', values: [{ value: 1_796_688_000 }] },
      ],
    });
    await api('POST', '/api/v4/tasks', [
      {
        text: 'Meet Ana',
        complete_till: 1_796_724_000,
        entity_id: leadId,
        entity_type: 'leads',
        task_type_id: 2,
      },
    ]);
    const chat = await h.control<{
      lead: {
        stage: { pipeline: string; status: string } | null;
        tags: string[];
        fields: { name: string; value: string; type: string }[];
        tasks: { text: string; type: string; responsible: string; completeTill: number }[];
      };
    }>('GET', `/salesbot/leads/${leadId}?account=acme`);
    expect(chat.body.lead.stage).toMatchObject({
      pipeline: 'Sales pipeline',
      status: 'Discussions',
    });
    expect(chat.body.lead.tags).toEqual(['Meeting']);
    expect(chat.body.lead.fields).toEqual(
      expect.arrayContaining([
        { id: fields.INTEREST?.id, name: 'Interest', value: 'Pro', type: 'select' },
        { id: fields.MEETING_DAY?.id, name: 'Meeting day', value: '1796688000', type: 'date' },
      ]),
    );
    expect(chat.body.lead.tasks).toEqual([
      expect.objectContaining({
        text: 'Meet Ana',
        type: 'Meeting',
        responsible: 'Owner',
        completeTill: 1_796_724_000,
      }),
    ]);
    const state = await h.control<{ stage: unknown; tasks: unknown[] }>(
      'GET',
      `/accounts/acme/leads/${leadId}`,
    );
    expect(state.body.stage).toEqual({ pipeline: 'Sales pipeline', status: 'Discussions' });
    expect(state.body.tasks).toHaveLength(1);
    const html = await (await h.call('GET', '/_sandbox/chat')).text();
    for (const id of ['lead-stage', 'lead-tasks', 'lead-fields', 'lead-tags']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
  });

  it('counts every one of these calls against the 7 per second limit and logs each', async () => {
    await h.control('PUT', '/clock/speed', { speed: 1e-9 });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: true, violationsToBlock: 0 } });
    await h.control('DELETE', '/requests');
    const statuses = [
      (await api('GET', '/api/v4/leads/custom_fields')).status,
      (await api('GET', '/api/v4/leads/pipelines')).status,
      (await api('GET', '/api/v4/users')).status,
      (await patch({ status_id: 142, tags_to_add: [{ name: 'won' }] })).status,
      (
        await api('POST', '/api/v4/tasks', [
          { text: 't', complete_till: 1_796_724_000, entity_id: leadId, entity_type: 'leads' },
        ])
      ).status,
      (await api('GET', '/api/v4/tasks')).status,
      (await api('GET', `/api/v4/leads/${leadId}`)).status,
      (await api('POST', '/api/v4/tasks', [{ text: 't', complete_till: 1 }])).status,
      (await api('GET', '/api/v4/leads/pipelines')).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 429]);
    const log = await h.control<{ requests: { method: string; path: string; status: number }[] }>(
      'GET',
      '/requests?path=/api/v4/*',
    );
    expect(log.body.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/v4/leads/custom_fields 200',
      'GET /api/v4/leads/pipelines 200',
      'GET /api/v4/users 200',
      `PATCH /api/v4/leads/${leadId} 200`,
      'POST /api/v4/tasks 200',
      'GET /api/v4/tasks 200',
      `GET /api/v4/leads/${leadId} 200`,
      'POST /api/v4/tasks 429',
      'GET /api/v4/leads/pipelines 429',
    ]);
    // The refused task was never created.
    await h.control('POST', '/clock/advance', { seconds: 2 });
    const tasks = await h.control<{ tasks: unknown[] }>('GET', '/accounts/acme/tasks');
    expect(tasks.body.tasks).toHaveLength(1);
  });
});
