import { ExtractionProfileInputSchema } from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { type PlanContext, conditionHolds, planExtraction } from './extraction-plan';
import { extractionFormat } from './extraction-schema';
import { type AccountCatalog, type ProfileDefinition } from './extraction.types';

const catalog: AccountCatalog = {
  fields: [
    { id: 1, name: 'Customer', type: 'text', code: null, enums: null },
    { id: 2, name: 'Budget', type: 'numeric', code: null, enums: null },
    {
      id: 3,
      name: 'Intent',
      type: 'select',
      code: null,
      enums: [
        { id: 31, value: 'Meeting' },
        { id: 32, value: 'Price' },
      ],
    },
    { id: 4, name: 'Plan', type: 'select', code: null, enums: [{ id: 41, value: 'Pro' }] },
    {
      id: 9,
      name: 'GPT Bridge | ANSWER',
      type: 'textarea',
      code: 'GPT_BRIDGE_ANSWER',
      enums: null,
    },
  ],
  pipelines: [{ id: 7, name: 'Sales', statuses: [{ id: 70, name: 'Meeting booked' }] }],
  users: [
    { id: 5, name: 'Owner', active: true },
    { id: 6, name: 'Gone', active: false },
  ],
};
const profile: ProfileDefinition = {
  name: 'lead-info',
  items: [
    { fieldId: 1, name: 'name', instruction: 'the name', required: true },
    { fieldId: 2, name: 'budget', instruction: 'the budget', required: false },
    { fieldId: 3, name: 'intent', instruction: 'what they want', required: false },
    { fieldId: 4, name: 'plan', instruction: 'the plan', required: false },
  ],
  rules: [
    {
      when: { item: 'intent', op: 'equals', value: 'meeting' },
      then: [
        { kind: 'move', pipelineId: 7, statusId: 70 },
        { kind: 'tag_add', tag: 'meeting' },
        { kind: 'task', text: 'Call Ana', dueHours: 2, taskTypeId: 1 },
      ],
    },
    { when: { item: 'plan', op: 'is_set' }, then: [{ kind: 'tag_add', tag: 'plan' }] },
  ],
};
const now = new Date('2026-12-07T12:00:00Z');
const ctx: PlanContext = {
  catalog,
  ownFieldIds: new Set([9]),
  responsibleUserId: 5,
  timeZone: 'UTC',
  now,
};

describe('planExtraction', () => {
  it('writes valid values, skips an unknown option by name, and runs the matching rule', () => {
    const plan = planExtraction(
      profile,
      { answer: '#Meeting', name: 'Ana', budget: 5000, intent: 'Meeting', plan: 'Enterprise' },
      ctx,
    );
    expect(plan.answer).toBe('#Meeting');
    expect(plan.writes.customFields).toEqual([
      { field_id: 1, values: [{ value: 'Ana' }] },
      { field_id: 2, values: [{ value: '5000' }] },
      { field_id: 3, values: [{ enum_id: 31 }] },
    ]);
    expect(plan.trace.skipped).toEqual([
      { name: 'plan', value: 'Enterprise', reason: '"Enterprise" is not an option of Plan (Pro)' },
    ]);
    // The invalid plan fires no rule; the intent does.
    expect(plan.writes.move).toEqual({ pipelineId: 7, statusId: 70 });
    expect(plan.writes.tagsToAdd).toEqual(['meeting']);
    expect(plan.writes.tasks).toEqual([
      {
        text: 'Call Ana',
        completeTill: now.getTime() / 1000 + 7200,
        taskTypeId: 1,
        responsibleUserId: 5,
      },
    ]);
    expect(plan.trace.actions).toEqual([
      { kind: 'move', detail: 'Sales › Meeting booked', ok: true },
      { kind: 'tag_add', detail: 'meeting', ok: true },
      { kind: 'task', detail: '"Call Ana" for Owner', ok: true },
    ]);
    expect(plan.logSummary).toBe(
      'extract lead-info: wrote Customer, Budget, Intent; skipped plan "Enterprise" ("Enterprise" is not an option of Plan (Pro)); did moved to Sales › Meeting booked, tag + meeting, task "Call Ana" for Owner',
    );
    expect(plan.writes.note).toContain('✗ plan "Enterprise"');
  });

  it('names a missing required value, never writes our own fields, and keeps "ERROR" out of LOG', () => {
    const own: ProfileDefinition = {
      ...profile,
      items: [
        ...profile.items,
        { fieldId: 9, name: 'answer_copy', instruction: 'x', required: false },
      ],
      rules: [],
    };
    const plan = planExtraction(
      own,
      { answer: 'x', name: null, plan: 'ERROR', answer_copy: 'x' },
      ctx,
    );
    expect(plan.writes.customFields).toEqual([]);
    expect(plan.trace.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['name', 'required, but not found'],
      ['plan', '"ERROR" is not an option of Plan (Pro)'],
      ['answer_copy', 'a GPT Bridge field'],
    ]);
    expect(plan.logSummary).not.toMatch(/ERROR/);
  });

  it('checks actions against the account: a gone stage, an inactive user, a second move', () => {
    const rules: ProfileDefinition['rules'] = [
      {
        when: { item: 'answer', op: 'contains', value: 'meet' },
        then: [
          { kind: 'move', pipelineId: 7, statusId: 999 },
          { kind: 'move', pipelineId: 7, statusId: 70 },
          { kind: 'move', pipelineId: 7, statusId: 70 },
          { kind: 'task', text: 'T', dueHours: 1, taskTypeId: 2, responsibleUserId: 6 },
          { kind: 'tag_remove', tag: 'cold' },
        ],
      },
    ];
    const plan = planExtraction({ ...profile, rules }, { answer: "Let's meet" }, ctx);
    expect(plan.trace.actions.map((a) => [a.kind, a.ok])).toEqual([
      ['move', false],
      ['move', true],
      ['move', false],
      ['task', false],
      ['tag_remove', true],
    ]);
    expect(plan.trace.actions[3]?.detail).toBe('"T": user 6 is not an active user');
    expect(plan.writes.tasks).toEqual([]);
    expect(plan.writes.tagsToDelete).toEqual(['cold']);
    // Without the users list, a rule's own user cannot be checked, the lead's own can.
    const blind = { ...ctx, catalog: { ...catalog, users: null } };
    const again = planExtraction({ ...profile, rules }, { answer: 'meet' }, blind);
    expect(again.trace.actions[3]).toMatchObject({ ok: false });
    const lead = planExtraction(profile, { answer: '', intent: 'Meeting' }, blind);
    expect(lead.writes.tasks[0]?.responsibleUserId).toBe(5);
  });

  it('conditionHolds: equals and contains ignore case; lists match on any option; is_set', () => {
    expect(conditionHolds({ item: 'x', op: 'equals', value: '#meeting' }, '#Meeting')).toBe(true);
    expect(conditionHolds({ item: 'x', op: 'equals', value: 'a' }, ['b', 'A'])).toBe(true);
    expect(conditionHolds({ item: 'x', op: 'contains', value: 'pro' }, 'Professional')).toBe(true);
    expect(conditionHolds({ item: 'x', op: 'is_set' }, [])).toBe(false);
    expect(conditionHolds({ item: 'x', op: 'is_set' }, false)).toBe(true);
  });
});

describe('extractionFormat', () => {
  it('builds a strict schema: every property required, optional ones nullable, options as enums', () => {
    const fields = new Map(catalog.fields.map((f) => [f.id, f]));
    const { name, schema } = extractionFormat(profile, fields);
    expect(name).toBe('extract_lead_info');
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['answer', 'name', 'budget', 'intent', 'plan'],
    });
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.name).toMatchObject({ type: 'string' });
    expect(props.budget).toMatchObject({ anyOf: [{ type: 'number' }, { type: 'null' }] });
    expect(props.intent).toMatchObject({
      anyOf: [{ type: 'string', enum: ['Meeting', 'Price'] }, { type: 'null' }],
    });
    expect(props.intent?.description).toBe('what they want (lead field "Intent")');
  });
});

describe('ExtractionProfileInputSchema', () => {
  const item = { fieldId: 1, name: 'name', instruction: 'the name' };
  it('refuses duplicate names and fields, "answer", unknown rule items and a value-less equals', () => {
    const parsed = ExtractionProfileInputSchema.safeParse({
      items: [item, { ...item, name: 'answer' }, { ...item, fieldId: 2 }],
      rules: [
        { when: { item: 'nope', op: 'is_set' }, then: [{ kind: 'tag_add', tag: 'x' }] },
        { when: { item: 'name', op: 'equals' }, then: [{ kind: 'tag_add', tag: 'x' }] },
      ],
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'items.1.name',
        'items.1.fieldId',
        'items.2.name',
        'rules.0.when.item',
        'rules.1.when.value',
      ]),
    );
  });

  it('fills defaults: not required, a task due in 24 h of type 1', () => {
    const parsed = ExtractionProfileInputSchema.parse({
      items: [item],
      rules: [{ when: { item: 'answer', op: 'is_set' }, then: [{ kind: 'task', text: 'Call' }] }],
    });
    expect(parsed.items[0]?.required).toBe(false);
    expect(parsed.rules[0]?.then[0]).toEqual({
      kind: 'task',
      text: 'Call',
      dueHours: 24,
      taskTypeId: 1,
    });
  });
});
