import { leadFieldCode } from '@gpt-bridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  observedWebhookBody,
  postForm,
  providerSettings,
  settled,
} from '../support/webhook-stack';

// Issue 23 points 1 and 2: the ChatGPT webhook's `?extract=<profile>` fills the account's own lead
// fields by a strict JSON schema, acts on rules (stage, tags, task), and writes it all with the
// answer's PATCH plus one task call (docs/kommo-contract.md §9).

const KEY = 'sk-test-extraction-01';
const ANA = "I'm Ana, ana@example.com, budget 5000, can we meet Tuesday?";

type Json = Record<string, unknown>;
type Field = { id: number; code: string | null; name: string; type: string };
type Pipeline = {
  id: number;
  name: string;
  _embedded: { statuses: { id: number; name: string }[] };
};
type LeadState = {
  fields: Record<string, unknown>;
  tags: string[];
  stage: { pipeline: string | null; status: string | null };
  notes: { note_type: string; params: { text?: string } }[];
  tasks: {
    text: string;
    task_type_id: number;
    responsible_user_id: number;
    complete_till: number;
  }[];
  responsible_user_id: number;
};

let stack: KommoStack;
let shop: InstalledAccount;
let fields: Record<string, Field>;
let booked: { pipelineId: number; statusId: number };

async function widget(method: string, route: string, body?: unknown, account = shop.account.id) {
  const { token } = await stack.sandbox.widgetToken(account);
  const response = await fetch(`${stack.apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
}

const FIELD_SPECS = [
  { name: 'Customer name', type: 'text', code: 'CUSTOMER' },
  { name: 'Email', type: 'text', code: 'EMAIL_X' },
  { name: 'Budget', type: 'numeric', code: 'BUDGET' },
  {
    name: 'Intent',
    type: 'select',
    code: 'INTENT',
    enums: [{ value: 'Meeting' }, { value: 'Price' }, { value: 'Other' }],
  },
  { name: 'Plan', type: 'select', code: 'PLAN', enums: [{ value: 'Basic' }, { value: 'Pro' }] },
  { name: 'Meeting day', type: 'date', code: 'MEETING_DAY' },
  { name: 'Address', type: 'smart_address', code: 'ADDR' },
];

function profileBody() {
  const id = (code: string) => fields[code]!.id;
  return {
    items: [
      { fieldId: id('CUSTOMER'), name: 'name', instruction: "The customer's name", required: true },
      { fieldId: id('EMAIL_X'), name: 'email', instruction: 'Their email address' },
      { fieldId: id('BUDGET'), name: 'budget', instruction: 'Their budget, a number' },
      { fieldId: id('INTENT'), name: 'intent', instruction: 'What they want' },
      { fieldId: id('PLAN'), name: 'plan', instruction: 'The plan they ask about' },
      { fieldId: id('MEETING_DAY'), name: 'meeting_day', instruction: 'The day they want to meet' },
    ],
    rules: [
      {
        when: { item: 'intent', op: 'equals', value: 'Meeting' },
        then: [
          { kind: 'move', ...booked },
          { kind: 'tag_add', tag: 'meeting' },
          { kind: 'task', text: 'Meet Ana', dueHours: 24, taskTypeId: 2 },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  for (const spec of FIELD_SPECS) {
    await stack.sandbox.call('POST', `/_sandbox/accounts/${shop.account.id}/custom-fields`, spec);
  }
  const listed = await stack.sandbox.leadFields(shop.account.id);
  fields = Object.fromEntries(listed.custom_fields.map((f) => [f.code ?? String(f.id), f]));
  const meetings = await stack.sandbox.call<Pipeline>(
    'POST',
    `/_sandbox/accounts/${shop.account.id}/pipelines`,
    { name: 'Meetings', statuses: [{ name: 'Meeting booked' }, { name: 'Met' }] },
  );
  const status = meetings._embedded.statuses.find((s) => s.name === 'Meeting booked')!;
  booked = { pipelineId: meetings.id, statusId: status.id };
  await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('extraction profiles in the widget', () => {
  it('lists the account fields, stages and users for the editor', async () => {
    const catalog = await widget('GET', '/extraction/catalog');
    expect(catalog.status).toBe(200);
    const listed = catalog.json.fields as {
      id: number;
      name: string;
      usable: boolean;
      enums: unknown;
    }[];
    const byName = Object.fromEntries(listed.map((f) => [f.name, f]));
    expect(byName.Intent?.usable).toBe(true);
    expect(byName.Intent?.enums).toHaveLength(3);
    expect(byName.Address?.usable).toBe(false);
    // Our own six fields are never offered.
    const answerField = fields[leadFieldCode('ANSWER')]!.id;
    expect(listed.find((f) => f.id === answerField)?.usable).toBe(false);
    const pipelines = catalog.json.pipelines as { name: string; statuses: { name: string }[] }[];
    expect(pipelines.map((p) => p.name)).toEqual(['Sales pipeline', 'Meetings']);
    expect(catalog.json.users).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: shop.account.current_user_id })]),
    );
  });

  it('saves, reads, replaces and deletes a profile', async () => {
    const saved = await widget('PUT', '/extraction/profiles/lead-info', profileBody());
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ name: 'lead-info', rules: [expect.any(Object)] });
    expect((saved.json.items as unknown[]).length).toBe(6);
    const list = await widget('GET', '/extraction/profiles');
    expect((list.json.profiles as { name: string }[]).map((p) => p.name)).toEqual(['lead-info']);
    const temp = await widget('PUT', '/extraction/profiles/temp', {
      items: [profileBody().items[0]],
    });
    expect(temp.status).toBe(200);
    expect((await widget('DELETE', '/extraction/profiles/temp')).status).toBe(204);
    expect((await widget('GET', '/extraction/profiles/temp')).status).toBe(404);
    expect((await widget('DELETE', '/extraction/profiles/temp')).status).toBe(404);
  });

  it('refuses bad input with 400 and a line per problem', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/extraction/profiles/Bad_Name', profileBody(), /name/],
      ['/extraction/profiles/x', { items: [] }, /items/],
      [
        '/extraction/profiles/x',
        { items: [{ fieldId: 1, name: 'answer', instruction: 'x' }] },
        /reserved/,
      ],
      [
        '/extraction/profiles/x',
        { items: [{ fieldId: 999_999, name: 'a', instruction: 'x' }] },
        /no lead field 999999/,
      ],
      [
        '/extraction/profiles/x',
        { items: [{ fieldId: fields.ADDR!.id, name: 'a', instruction: 'x' }] },
        /smart_address field/,
      ],
      [
        '/extraction/profiles/x',
        { items: [{ fieldId: fields[leadFieldCode('ANSWER')]!.id, name: 'a', instruction: 'x' }] },
        /is a GPT Bridge field/,
      ],
      [
        '/extraction/profiles/x',
        {
          items: [{ fieldId: fields.CUSTOMER!.id, name: 'a', instruction: 'x' }],
          rules: [
            {
              when: { item: 'a', op: 'is_set' },
              then: [
                { kind: 'move', pipelineId: booked.pipelineId, statusId: 1 },
                { kind: 'task', text: 'T', responsibleUserId: 424_242 },
              ],
            },
          ],
        },
        /has no stage 1.*no active user 424242/,
      ],
      [
        '/extraction/profiles/x',
        {
          items: [{ fieldId: 1, name: 'a', instruction: 'x' }],
          rules: [{ when: { item: 'b', op: 'is_set' }, then: [] }],
        },
        /rules/,
      ],
    ];
    for (const [route, body, message] of cases) {
      const answer = await widget('PUT', route, body);
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      expect(answer.json.message).toMatch(message);
    }
    expect((await widget('GET', '/extraction/profiles/x')).status).toBe(404);
  });

  it('is for account administrators, and each account sees only its own profiles', async () => {
    const seller = await stack.sandbox.addUser(shop.account.id, { name: 'Seller' });
    const { token } = await stack.sandbox.widgetToken(shop.account.id, 'valid', {
      userId: seller.id,
      shape: { is_admin: 'bool' },
    });
    const refused = await fetch(`${stack.apiUrl}/widget-api/extraction/profiles`, {
      headers: { 'x-auth-token': token },
    });
    expect(refused.status).toBe(403);

    const other = await installAccount(stack);
    const mine = await widget('GET', '/extraction/profiles', undefined, other.account.id);
    expect(mine.json.profiles).toEqual([]);
    expect(
      (await widget('GET', '/extraction/profiles/lead-info', undefined, other.account.id)).status,
    ).toBe(404);
    expect(
      (await widget('DELETE', '/extraction/profiles/lead-info', undefined, other.account.id))
        .status,
    ).toBe(404);
    // Its webhook does not find this account's profile either.
    await providerSettings(stack).save(other.installationId, { openaiApiKey: KEY });
    const lead = await createLeadWith(stack, other.account.id, { PROMPT: ANA });
    await postForm(
      `${other.chatgptUrl}?extract=lead-info`,
      observedWebhookBody(other.account, lead),
    );
    const [row] = await settled(stack, other.installationId);
    expect(row).toMatchObject({ status: 'failed', error_class: 'config' });
    expect(row?.log_line).toBe(
      'ERROR extract: no extraction profile "lead-info"; create it in the GPT Bridge widget settings',
    );
    expect((await widget('GET', '/extraction/profiles/lead-info')).status).toBe(200);
  });
});

describe('?extract= on the ChatGPT webhook', () => {
  it('Ana: fills the fields, moves the lead, tags it and creates a task in one PATCH plus the task call', async () => {
    expect((await widget('PUT', '/extraction/profiles/lead-info', profileBody())).status).toBe(200);
    await stack.sandbox.call('PUT', `/_sandbox/ai/scripts/${KEY}`, {
      structured: {
        rules: [
          {
            keywords: ['ana@example.com'],
            json: {
              answer: '#Meeting',
              name: 'Ana',
              email: 'ana@example.com',
              budget: 5000,
              intent: 'Meeting',
              // An option the account does not have: the fake sends it although it breaks the schema.
              plan: 'Enterprise',
              meeting_day: '2026-12-08',
            },
          },
        ],
      },
    });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: ANA });
    const before = (await stack.sandbox.lead(shop.account.id, lead)) as unknown as LeadState;
    await stack.sandbox.clearRequests();
    const sent = await postForm(
      `${shop.chatgptUrl}?extract=lead-info`,
      observedWebhookBody(shop.account, lead),
    );
    expect(sent.status).toBe(200);
    const rows = await settled(stack, shop.installationId);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({ status: 'done', error_class: null });
    expect(row.log_line).toBe(
      'ok; extract lead-info: wrote Customer name, Email, Budget, Intent, Meeting day; ' +
        'skipped plan "Enterprise" ("Enterprise" is not an option of Plan (Basic, Pro)); ' +
        'did moved to Meetings › Meeting booked, tag + meeting, task "Meet Ana" for ' +
        `${shop.account.users.find((u) => u.id === before.responsible_user_id)?.name}`,
    );

    const state = (await stack.sandbox.lead(shop.account.id, lead)) as unknown as LeadState;
    expect(state.fields).toMatchObject({
      CUSTOMER: 'Ana',
      EMAIL_X: 'ana@example.com',
      BUDGET: '5000',
      INTENT: 'Meeting',
      [leadFieldCode('ANSWER')]: '#Meeting',
      [leadFieldCode('ANSWER_RECEIVED')]: 'Full',
    });
    expect(state.fields.PLAN).toBeUndefined();
    // Midnight of that day in the account's zone (the sandbox's default, São Paulo, UTC−3).
    expect(state.fields.MEETING_DAY).toBe(Date.UTC(2026, 11, 8, 3) / 1000);
    expect(state.stage).toEqual({ pipeline: 'Meetings', status: 'Meeting booked' });
    expect(state.tags).toEqual(['meeting']);
    expect(state.tasks).toEqual([
      expect.objectContaining({
        text: 'Meet Ana',
        task_type_id: 2,
        responsible_user_id: before.responsible_user_id,
      }),
    ]);
    const note = state.notes.at(-1)?.params.text ?? '';
    expect(note).toContain('GPT Bridge extraction "lead-info"');
    expect(note).toContain(
      '✗ plan "Enterprise": "Enterprise" is not an option of Plan (Basic, Pro)',
    );

    // Kommo saw the lead's changes in one PATCH, one task call and the note; nothing refused.
    const calls = await stack.sandbox.requests({ account_id: shop.account.id, direction: 'in' });
    const writes = calls.filter((c) => c.method !== 'GET');
    expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual([
      `PATCH /api/v4/leads/${lead}`,
      'POST /api/v4/tasks',
      'POST /api/v4/leads/notes',
    ]);
    expect(writes[0]?.body).toMatchObject({
      pipeline_id: booked.pipelineId,
      status_id: booked.statusId,
      tags_to_add: [{ name: 'meeting' }],
    });
    expect(calls.every((c) => c.status < 400)).toBe(true);
    expect(calls.length).toBeLessThanOrEqual(7);

    // The model was asked with a strict schema whose select options are enums.
    const [ai] = await stack.sandbox.aiCalls({ key: KEY });
    const body = ai?.body as {
      response_format: { json_schema: { strict: boolean; schema: Json } };
    };
    expect(body.response_format.json_schema.strict).toBe(true);
    expect(body.response_format.json_schema.schema).toMatchObject({
      properties: {
        intent: { anyOf: [{ enum: ['Meeting', 'Price', 'Other'] }, { type: 'null' }] },
      },
    });

    // The trace the lead card shows.
    const [stored] = await stack.db.query<{ extraction: Json }[]>(
      `SELECT extraction FROM ai_requests WHERE id = $1`,
      [row.id],
    );
    expect(stored?.extraction).toMatchObject({
      profile: 'lead-info',
      written: [
        { fieldId: fields.CUSTOMER!.id, name: 'Customer name', value: 'Ana' },
        { fieldId: fields.EMAIL_X!.id, name: 'Email', value: 'ana@example.com' },
        { fieldId: fields.BUDGET!.id, name: 'Budget', value: 5000 },
        { fieldId: fields.INTENT!.id, name: 'Intent', value: 'Meeting' },
        { fieldId: fields.MEETING_DAY!.id, name: 'Meeting day', value: '2026-12-08' },
      ],
      skipped: [expect.objectContaining({ name: 'plan', value: 'Enterprise' })],
      actions: [
        { kind: 'move', detail: 'Meetings › Meeting booked', ok: true },
        { kind: 'tag_add', detail: 'meeting', ok: true },
        expect.objectContaining({ kind: 'task', ok: true }),
      ],
    });
    // The same, as the lead card reads it, with the request's cost.
    const card = await widget('GET', `/leads/${lead}/requests`);
    expect(card.status).toBe(200);
    const [shown] = (card.json as { requests: Json[] }).requests;
    expect(shown).toMatchObject({ id: row.id, extraction: stored?.extraction });
    expect((shown as { costUsd: number }).costUsd).toBeGreaterThan(0);

    // A second message: fields, stages and users come from the cache, not from Kommo again.
    await stack.sandbox.clearRequests();
    await postForm(`${shop.chatgptUrl}?extract=lead-info`, observedWebhookBody(shop.account, lead));
    await settled(stack, shop.installationId);
    const again = await stack.sandbox.requests({ account_id: shop.account.id, direction: 'in' });
    expect(again.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual([
      `/api/v4/leads/${lead}`,
    ]);
  }, 60_000);

  it('Kommo refuses the PATCH that carries the extraction: the answer goes alone, LOG and the trace say so', async () => {
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: ANA });
    await stack.sandbox.addFault({
      path: `/api/v4/leads/${lead}`,
      method: 'PATCH',
      account_id: shop.account.id,
      count: 1,
      status: 400,
    });
    await postForm(`${shop.chatgptUrl}?extract=lead-info`, observedWebhookBody(shop.account, lead));
    const row = (await settled(stack, shop.installationId)).at(-1)!;
    expect(row.status).toBe('done');
    expect(row.log_line).toMatch(/; Kommo refused the extraction \(.*\): none of it was written$/);
    const state = (await stack.sandbox.lead(shop.account.id, lead)) as unknown as LeadState;
    expect(state.fields[leadFieldCode('ANSWER')]).toBe('#Meeting');
    expect(state.fields[leadFieldCode('LOG')]).toBe(row.log_line);
    expect(state.fields.CUSTOMER).toBeUndefined();
    expect(state.stage.pipeline).toBe('Sales pipeline');
    const [stored] = await stack.db.query<
      { extraction: { written: unknown[]; skipped: { name: string; reason: string }[] } }[]
    >(`SELECT extraction FROM ai_requests WHERE id = $1`, [row.id]);
    expect(stored?.extraction.written).toEqual([]);
    expect(stored?.extraction.skipped.map((s) => s.name)).toContain('Customer name');
  }, 30_000);

  it('says in LOG why it cannot extract: the Assistant webhook (Dify), an unknown profile', async () => {
    await providerSettings(stack).save(shop.installationId, {
      openaiApiKey: KEY,
      assistant: { provider: 'dify', apiKey: 'app-extraction-dify' },
    });
    // Two leads: on one lead the newer request would answer for the older (one answer per burst).
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: ANA });
    const other = await createLeadWith(stack, shop.account.id, { PROMPT: ANA });
    await postForm(
      `${shop.assistantUrl}?extract=lead-info`,
      observedWebhookBody(shop.account, other),
    );
    await postForm(`${shop.chatgptUrl}?extract=nope`, observedWebhookBody(shop.account, lead));
    const rows = (await settled(stack, shop.installationId)).slice(-2);
    expect(rows.map((r) => [r.status, r.error_class, r.log_line])).toEqual([
      [
        'failed',
        'config',
        'ERROR extract: Dify has no structured outputs; use ?extract= on the ChatGPT webhook',
      ],
      [
        'failed',
        'config',
        'ERROR extract: no extraction profile "nope"; create it in the GPT Bridge widget settings',
      ],
    ]);
    // Neither reached a provider.
    expect(await stack.sandbox.aiCalls({ provider: 'dify' })).toEqual([]);
    const state = await stack.sandbox.lead(shop.account.id, lead);
    expect(state.fields[leadFieldCode('LOG')]).toMatch(/^ERROR extract: no extraction profile/);
  }, 30_000);
});
