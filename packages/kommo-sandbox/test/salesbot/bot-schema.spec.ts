import { describe, expect, it } from 'vitest';
import { BotScriptError, parseBotScript } from '../../src/salesbot/bot-schema.js';
import {
  type PlaceholderScope,
  renderDeep,
  renderTemplate,
} from '../../src/salesbot/placeholders.js';

describe(parseBotScript.name, () => {
  it('reads an array of steps numbered from 0', () => {
    const script = parseBotScript([
      { question: [{ handler: 'show', params: { value: 'a' } }] },
      { finish: [] },
    ]);
    expect([...script.steps.keys()]).toEqual([0, 1]);
    expect(script.steps.get(1)).toEqual({ question: [], answer: [], finish: [] });
    expect(script.error).toEqual([]);
  });

  it('reads an object with numeric keys and an "error" list, ignoring editor metadata', () => {
    const script = parseBotScript(
      JSON.stringify({
        3: { block_uuid: 'x', question: [] },
        error: [{ handler: 'stop' }],
        conversation: false,
      }),
    );
    expect([...script.steps.keys()]).toEqual([3]);
    expect(script.error).toEqual([{ handler: 'stop', params: undefined }]);
  });

  it.each([
    ['not JSON', '{'],
    ['a scalar', 42],
    ['no steps', {}],
    ['a step without blocks', [{ foo: [] }]],
    ['a handler without a name', [{ question: [{ params: {} }] }]],
    ['over 64 KB', [{ question: [{ handler: 'show', params: { value: 'x'.repeat(65_536) } }] }]],
  ])('rejects %s', (_label, input) => {
    expect(() => parseBotScript(input)).toThrow(BotScriptError);
  });
});

describe('placeholders', () => {
  const scope: PlaceholderScope = {
    lead: {
      id: 7,
      name: 'Maria',
      price: 100,
      statusId: 1,
      pipelineId: 2,
      responsibleUserId: 3,
      tags: ['a', 'b'],
      fields: { '123': 'old text' },
      contact: { id: null, name: 'Ana Souza', firstName: 'Ana', lastName: 'Souza' },
    },
    account: { id: 9, subdomain: 'acme' },
    botId: 5,
    messageText: 'hello',
    json: { reply: 'hi there', nested: { status: 'ok' }, list: [1, 2] },
    origin: 'whatsapp',
    now: Date.UTC(2026, 0, 2, 3, 4),
  };

  it('resolves lead, fields, message, contact, json, origin and account values', () => {
    expect(
      renderTemplate(
        '{{lead.id}}|{{ lead.cf.123 }} {{message_text}}|{{contact.name}}|{{json.reply}}|{{json.nested.status}}|{{json.list}}|{{origin}}|{{account.subdomain}}|{{current_date}}',
        scope,
      ),
    ).toBe('7|old text hello|Ana Souza|hi there|ok|[1,2]|whatsapp|acme|2026-01-02');
  });

  it('renders unknown placeholders and empty fields as empty text', () => {
    expect(renderTemplate('[{{lead.cf.999}}][{{json.missing}}][{{nope}}]', scope)).toBe('[][][]');
  });

  it('renders strings deep inside widget_request data and keeps other values', () => {
    expect(
      renderDeep({ a: '{{lead.id}}', b: [{ c: '{{message_text}}' }], n: 1, t: true }, scope),
    ).toEqual({
      a: '7',
      b: [{ c: 'hello' }],
      n: 1,
      t: true,
    });
  });
});
