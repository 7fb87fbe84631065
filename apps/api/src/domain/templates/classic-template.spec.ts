import { LEAD_FIELD_KEYS } from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { allHandlers, type BotHandler, botProblems, MAX_BOT_JSON_BYTES } from './bot-json';
import { buildClassicTemplate, CLASSIC_TIMING } from './classic-template';

const fieldIds = {
  MESSAGE: 9101,
  PROMPT: 9102,
  ANSWER: 9103,
  ANSWER_RECEIVED: 9104,
  LOG: 9105,
  ON_OFF: 9106,
};
const chatgptUrl = 'https://bridge.test/tok-chatgpt/handler';
const assistantUrl = 'https://bridge.test/tok-assistant/handler';
const built = buildClassicTemplate({ fieldIds, chatgptUrl, assistantUrl });
const { bot, outline } = built;
const stepOf = (name: string) => {
  const entry = outline.find((e) => e.name === name);
  if (!entry) throw new Error(`no step ${name}`);
  return entry.step;
};
const nameOf = (step: number) => outline.find((e) => e.step === step)?.name;
const question = (name: string): BotHandler[] => bot[stepOf(name)]?.question ?? [];
const params = (h: BotHandler | undefined) => (h?.params ?? {}) as Record<string, unknown>;
/** The step a block falls to when none of its conditions hold: its last top-level goto. */
const fallThrough = (name: string) => {
  const last = question(name)
    .filter((h) => h.handler === 'goto')
    .at(-1);
  return nameOf(params(last).step as number);
};

// Handlers docs/kommo-contract.md §5.4 lists as documented, plus the designer's UI-only steps
// the installer lists to add by hand (hand-added.ts).
const DOCUMENTED = ['show', 'goto', 'wait_answer', 'action', 'conditions', 'send_internal', 'stop'];
const EXTENSIONS = ['pause', 'webhook'];
const finish = (name: string): BotHandler[] => bot[stepOf(name)]?.finish ?? [];

describe('the classic template', () => {
  it('is a sound script under 64 KB that starts at step 0', () => {
    expect(botProblems(bot)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(bot))).toBeLessThan(MAX_BOT_JSON_BYTES);
    expect(outline[0]).toMatchObject({ step: 0, name: 'start' });
  });

  it('uses only handlers Kommo documents, plus the pause and webhook steps', () => {
    const names = new Set(allHandlers(bot).map((h) => h.handler));
    expect([...names].filter((n) => !DOCUMENTED.includes(n) && !EXTENSIONS.includes(n))).toEqual(
      [],
    );
    const actions = new Set(
      allHandlers(bot)
        .filter((h) => h.handler === 'action')
        .map((h) => params(h).name),
    );
    expect([...actions].sort()).toEqual(['add_note', 'set_custom_fields', 'set_tag', 'unset_tag']);
  });

  it('has every role of the documented flow', () => {
    const names = outline.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'start',
        'wait',
        'store',
        'window',
        'append',
        'intent',
        'intent-wait-1',
        'intent-result',
        'route',
        'attendant',
        'assistant',
        'assistant-wait-1',
        'assistant-result',
        'reply',
        'intent-error',
        'intent-retry',
        'assistant-error',
        'assistant-retry',
        'fatal',
      ]),
    );
    const json = JSON.stringify(bot);
    for (const tag of ['#Attendant', '#Meeting', '#Greeting', '#General']) {
      expect(json).toContain(tag);
    }
  });

  it('puts all six field ids where the flow reads and writes them', () => {
    const used = new Set(
      [...JSON.stringify(bot).matchAll(/lead\.cf\.(\d+)|"custom_fields_id":(\d+)/g)].map((m) =>
        Number(m[1] ?? m[2]),
      ),
    );
    for (const key of LEAD_FIELD_KEYS) expect(used.has(fieldIds[key]), key).toBe(true);
    // PROMPT is read by the backend, never by the bot; the other five are read in conditions.
    const read = JSON.stringify(bot);
    for (const key of ['MESSAGE', 'ANSWER', 'ANSWER_RECEIVED', 'LOG', 'ON_OFF'] as const) {
      expect(read.includes(`{{lead.cf.${fieldIds[key]}}}`), key).toBe(true);
    }
    const written = new Set(
      allHandlers(bot)
        .filter((h) => params(h).name === 'set_custom_fields')
        .map((h) => (params(h).params as { custom_fields_id: number }).custom_fields_id),
    );
    // ANSWER is only written by the backend; the template writes the other five.
    expect([...written].sort()).toEqual(
      [
        fieldIds.MESSAGE,
        fieldIds.PROMPT,
        fieldIds.ANSWER_RECEIVED,
        fieldIds.LOG,
        fieldIds.ON_OFF,
      ].sort(),
    );
    expect(question('store')[0]).toMatchObject({
      params: { params: { custom_fields_id: fieldIds.MESSAGE, value: '{{message_text}}' } },
    });
    expect(question('append')[0]).toMatchObject({
      params: { params: { value: `{{lead.cf.${fieldIds.MESSAGE}}}\n{{message_text}}` } },
    });
    expect(question('reply')[0]).toEqual({
      handler: 'show',
      params: { type: 'text', value: `{{lead.cf.${fieldIds.ANSWER}}}` },
    });
  });

  it('adds ?model= to the ChatGPT steps only when the owner chose a model', () => {
    const chosen = buildClassicTemplate({
      fieldIds,
      chatgptUrl,
      assistantUrl,
      model: 'gpt-5-mini',
    });
    const json = JSON.stringify(chosen.bot);
    expect(json).toContain(`${chatgptUrl}?model=gpt-5-mini`);
    expect(json).not.toContain(`${assistantUrl}?model`);
    expect(JSON.stringify(built.bot)).not.toContain('model=');
  });

  it('sends the intent prompt to the ChatGPT webhook (no model pinned) and MESSAGE to the Assistant', () => {
    const urls = (name: string) =>
      question(name)
        .filter((h) => h.handler === 'webhook')
        .map((h) => params(h).url);
    expect(urls('intent')).toEqual([chatgptUrl]);
    expect(urls('intent-retry')).toEqual([chatgptUrl]);
    expect(urls('assistant')).toEqual([assistantUrl]);
    expect(urls('assistant-retry')).toEqual([assistantUrl]);
    const prompt = (params(question('intent')[0]).params as { value: string }).value;
    expect(prompt).toContain(`{{lead.cf.${fieldIds.MESSAGE}}}`);
    expect(question('assistant')[0]).toMatchObject({
      params: {
        params: { custom_fields_id: fieldIds.PROMPT, value: `{{lead.cf.${fieldIds.MESSAGE}}}` },
      },
    });
  });

  it.each([
    ['intent', CLASSIC_TIMING.chatgptPolls, CLASSIC_TIMING.chatgptPollSeconds, 'intent-error'],
    [
      'assistant',
      CLASSIC_TIMING.assistantPolls,
      CLASSIC_TIMING.assistantPollSeconds,
      'assistant-error',
    ],
    ['intent-retry', CLASSIC_TIMING.chatgptPolls, CLASSIC_TIMING.chatgptPollSeconds, 'fatal'],
    [
      'assistant-retry',
      CLASSIC_TIMING.assistantPolls,
      CLASSIC_TIMING.assistantPollSeconds,
      'fatal',
    ],
  ])(
    'bounds the %s wait loop: %i polls of %i s, then the error branch',
    (stage, polls, seconds, onTimeout) => {
      let name = fallThrough(stage);
      let loops = 0;
      while (name?.startsWith(`${stage}-wait-`)) {
        const [pause] = question(name);
        expect(pause).toEqual({ handler: 'pause', params: { seconds } });
        loops += 1;
        name = fallThrough(name);
      }
      expect(loops).toBe(polls);
      expect(name).toBe(`${stage}-timeout`);
      expect(fallThrough(`${stage}-timeout`)).toBe(onTimeout);
    },
  );

  it('stops without a word when the backend wrote #Human into ON_OFF (a person has the lead)', () => {
    const [first] = question('assistant-result').filter((h) => h.handler === 'conditions');
    expect(params(first)).toMatchObject({
      logic: 'and',
      conditions: [{ term1: `{{lead.cf.${fieldIds.ON_OFF}}}`, operation: '=', term2: '#Human' }],
    });
    expect((params(first).result as { params: unknown }[])[0]?.params).toEqual({
      type: 'question',
      step: stepOf('off'),
    });
  });

  it('answers only when LOG has no error and ON_OFF is empty', () => {
    const check = question('assistant-result').filter((h) => h.handler === 'conditions')[1];
    expect(params(check)).toMatchObject({
      logic: 'or',
      conditions: [
        { term1: `{{lead.cf.${fieldIds.LOG}}}`, operation: 'contains', term2: 'ERROR' },
        { term1: `{{lead.cf.${fieldIds.ON_OFF}}}`, operation: 'filled' },
      ],
    });
    expect(fallThrough('assistant-result')).toBe('reply');
    expect(fallThrough('assistant-retry-result')).toBe('reply');
    expect(fallThrough('reply')).toBe('wait');
  });

  it('retries once after 45 s with a tag, a note and "just a moment", then stops with a message', () => {
    const handlers = question('assistant-error').map(
      (h) => `${h.handler}:${typeof params(h).name === 'string' ? String(params(h).name) : ''}`,
    );
    expect(handlers).toEqual([
      'action:set_tag',
      'action:add_note',
      'conditions:',
      'show:',
      'pause:',
      'goto:',
    ]);
    expect(question('assistant-error')).toContainEqual({
      handler: 'pause',
      params: { seconds: 45 },
    });
    expect(question('assistant-error')).toContainEqual({
      handler: 'show',
      params: { type: 'text', value: 'Just a moment, please.' },
    });
    expect(fallThrough('assistant-error')).toBe('assistant-retry');
    expect(question('assistant-retry-result')).toContainEqual({
      handler: 'action',
      params: { name: 'unset_tag', params: { type: 2, value: 'OpenAI ERROR' } },
    });
    const fatal = question('fatal').map((h) => h.handler);
    expect(fatal).toEqual(['conditions', 'action', 'send_internal']);
    // Kommo documents `stop` in a finish block: the question falls through to it.
    expect(finish('fatal')).toEqual([{ handler: 'stop', params: {} }]);
    expect(question('fatal')[1]).toMatchObject({
      params: { name: 'add_note', params: { element_type: 2, note_type: 4 } },
    });
    expect(JSON.stringify(question('fatal'))).not.toContain('"show"');
    expect(bot.error).toEqual([
      {
        handler: 'action',
        params: { name: 'set_tag', params: { type: 2, value: 'OpenAI ERROR' } },
      },
      { handler: 'goto', params: { type: 'question', step: stepOf('fatal') } },
    ]);
  });

  it('#Attendant clears PROMPT, fills ON_OFF and stops before any Assistant call', () => {
    expect(question('attendant').map((h) => h.handler)).toEqual([
      'action',
      'action',
      'send_internal',
    ]);
    expect(finish('attendant')).toEqual([{ handler: 'stop', params: {} }]);
    expect(question('off')).toEqual([]);
    expect(finish('off')).toEqual([{ handler: 'stop', params: {} }]);
    // `stop` appears nowhere but in finish blocks.
    const stops = Object.values(bot).filter(
      (step) =>
        Array.isArray((step as { question?: unknown }).question) &&
        JSON.stringify((step as { question: unknown }).question).includes('"stop"'),
    );
    expect(stops).toEqual([]);
    expect(question('attendant')[0]).toMatchObject({
      params: { params: { custom_fields_id: fieldIds.PROMPT, value: '' } },
    });
  });

  it('speaks the account language to customers and users', () => {
    const pt = JSON.stringify(
      buildClassicTemplate({ fieldIds, chatgptUrl, assistantUrl, language: 'pt' }).bot,
    );
    expect(pt).toContain('Só um momento, por favor.');
    expect(pt).not.toContain('Just a moment');
  });
});
