import { describe, expect, it } from 'vitest';
import { allHandlers, type BotHandler, botProblems, MAX_BOT_JSON_BYTES } from './bot-json';
import { BURST_WINDOW_SECONDS } from './receive-steps';
import { buildWidgetBlockTemplate, STATUS_COALESCED } from './widget-block-template';

const fieldIds = { MESSAGE: 9101, PROMPT: 9102, ON_OFF: 9106 };
const chatgptUrl = 'https://bridge.test/tok-chatgpt/widget-request';
const assistantUrl = 'https://bridge.test/tok-assistant/widget-request';
const { bot, outline } = buildWidgetBlockTemplate({ fieldIds, chatgptUrl, assistantUrl });
const stepOf = (name: string) => outline.find((e) => e.name === name)?.step;
const question = (name: string): BotHandler[] => bot[stepOf(name) ?? -1]?.question ?? [];
const params = (h: BotHandler | undefined) => (h?.params ?? {}) as Record<string, unknown>;
const requests = allHandlers(bot).filter((h) => h.handler === 'widget_request');
const data = (name: string) => params(question(name)[0]).data as Record<string, unknown>;

describe('the widget-block template', () => {
  it('is a sound script under 64 KB', () => {
    expect(botProblems(bot)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(bot))).toBeLessThan(MAX_BOT_JSON_BYTES);
    expect(outline[0]).toMatchObject({ step: 0, name: 'start' });
  });

  it('has no pause and no webhook polling: only documented handlers', () => {
    const names = new Set(allHandlers(bot).map((h) => h.handler));
    expect([...names].sort()).toEqual(
      [
        'action',
        'conditions',
        'goto',
        'send_internal',
        'show',
        'stop',
        'wait_answer',
        'widget_request',
      ].sort(),
    );
  });

  it('calls the ChatGPT block for the intent and the image, the Assistant block for the answer', () => {
    expect(params(question('intent')[0]).url).toBe(chatgptUrl);
    expect(params(question('image')[0]).url).toBe(chatgptUrl);
    expect(params(question('assistant')[0]).url).toBe(assistantUrl);
    expect(data('intent').prompt).toContain(`{{lead.cf.${fieldIds.MESSAGE}}}`);
    expect(data('intent').prompt).toContain('#Attendant');
    expect(data('assistant').prompt).toBe(`{{lead.cf.${fieldIds.PROMPT}}}`);
    // Kommo's documented pattern: widget_request, a goto to the next step, and there a branch on
    // {{json.status}}. next_step names the same branch, so the continue's goto is a fallback.
    expect(requests).toHaveLength(5);
    for (const name of ['intent', 'image', 'assistant', 'intent-retry', 'assistant-retry']) {
      const branch = stepOf(`${name}-status`);
      expect(
        question(name).map((h) => h.handler),
        name,
      ).toEqual(['widget_request', 'goto']);
      expect(question(name)[1], name).toEqual({
        handler: 'goto',
        params: { type: 'question', step: branch },
      });
      expect(data(name)).toMatchObject({ next_step: branch, lead_id: '{{lead.id}}' });
      expect(data(name)).not.toHaveProperty('error_step');
    }
    const onStatus = (name: string) => {
      const [ok, human, coalesced, otherwise] = question(`${name}-status`);
      expect(params(ok)).toMatchObject({
        logic: 'and',
        conditions: [{ term1: '{{json.status}}', term2: 'ok', operation: '=' }],
      });
      // The `human` exit (issue 22): a person has the lead, the bot goes back to waiting.
      expect(params(human)).toMatchObject({
        logic: 'and',
        conditions: [{ term1: '{{json.status}}', term2: 'human', operation: '=' }],
      });
      expect((params(human).result as BotHandler[])[0]?.params).toEqual({
        type: 'question',
        step: stepOf('human'),
      });
      // A request a newer message answers for: no message, back to waiting for the customer.
      expect(params(coalesced)).toEqual({
        logic: 'and',
        conditions: [{ term1: '{{json.status}}', term2: STATUS_COALESCED, operation: '=' }],
        result: [{ handler: 'goto', params: { type: 'question', step: stepOf('wait') } }],
      });
      expect(otherwise?.handler).toBe('goto');
      return {
        ok: (params(ok).result as BotHandler[])[0]?.params,
        error: params(otherwise).step,
      };
    };
    expect(onStatus('intent')).toEqual({
      ok: { type: 'question', step: stepOf('route') },
      error: stepOf('intent-error'),
    });
    expect(onStatus('assistant')).toEqual({
      ok: { type: 'question', step: stepOf('reply') },
      error: stepOf('assistant-error'),
    });
    expect(onStatus('image').ok).toEqual({ type: 'question', step: stepOf('image-described') });
    expect(onStatus('intent-retry').error).toBe(stepOf('fatal'));
    expect(onStatus('assistant-retry').error).toBe(stepOf('fatal'));
  });

  it('routes on {{json.intent}}, takes the image branch on #image in {{json.log}}, shows {{json.reply}}', () => {
    const route = JSON.stringify(question('route'));
    expect(route).toContain('"term1":"{{json.intent}}","term2":"#Attendant","operation":"="');
    expect(route).toContain('"term1":"{{json.log}}","term2":"#image","operation":"contains"');
    expect(JSON.stringify(question('image-described'))).toContain('{{json.reply}}');
    expect(question('reply')[0]).toEqual({
      handler: 'show',
      params: { type: 'text', value: '{{json.reply}}' },
    });
    expect(question('attendant').map((h) => h.handler)).toEqual([
      'action',
      'action',
      'send_internal',
    ]);
    expect(bot[stepOf('attendant') ?? -1]?.finish).toEqual([{ handler: 'stop', params: {} }]);
  });

  it('has no timed wait: the stored message goes straight to the intent block', () => {
    expect(stepOf('window')).toBeUndefined();
    expect(stepOf('append')).toBeUndefined();
    const waits = allHandlers(bot).filter((h) => h.handler === 'wait_answer');
    expect(waits.map((h) => h.params)).toEqual([{ type: 'question', step: stepOf('start') }]);
    expect(question('store').at(-1)).toEqual({
      handler: 'goto',
      params: { type: 'question', step: stepOf('intent') },
    });
  });

  it('on request, collects a burst in the short window before the intent block', () => {
    const withWindow = buildWidgetBlockTemplate({
      fieldIds,
      chatgptUrl,
      assistantUrl,
      burstWindow: true,
    });
    const step = (name: string) => withWindow.outline.find((e) => e.name === name)?.step;
    expect(withWindow.bot[step('store') ?? -1]?.question.at(-1)).toEqual({
      handler: 'goto',
      params: { type: 'question', step: step('window') },
    });
    expect(withWindow.bot[step('window') ?? -1]?.question).toEqual([
      {
        handler: 'wait_answer',
        params: {
          type: 'question',
          step: step('append'),
          timeout: BURST_WINDOW_SECONDS,
          on_timeout: { type: 'question', step: step('intent') },
        },
      },
    ]);
  });

  it('uses the three fields it needs and sends a failed block to a stop, not to the customer', () => {
    const json = JSON.stringify(bot);
    for (const id of Object.values(fieldIds)) expect(json).toContain(`{{lead.cf.${id}}}`);
    expect(bot.error).toEqual([
      { handler: 'goto', params: { type: 'question', step: stepOf('unreachable') } },
    ]);
    expect(JSON.stringify(question('fatal'))).not.toContain('"show"');
    expect(JSON.stringify(question('unreachable'))).not.toContain('"show"');
  });
});
