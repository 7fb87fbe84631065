import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTerms, StepError } from '../../src/salesbot/conditions.js';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
const goto = (step: number) => ({ handler: 'goto', params: { type: 'question', step } });

describe('compareTerms', () => {
  it.each([
    ['Yes', ' yes ', '=', true],
    ['yes', 'no', '=', false],
    ['yes', 'no', '!=', true],
    ['I want a Meeting', 'meeting', 'contains', true],
    ['hello', 'meeting', 'contains', false],
    ['hello', 'meeting', 'not_contains', true],
    ['Full', '', 'filled', true],
    ['  ', '', 'filled', false],
    ['', '', 'empty', true],
    ['x', '', 'empty', false],
    ['10', '9', '>', true],
    ['abc', '9', '>', false],
  ])('%j %s %j → %s', (term1, term2, operation, expected) => {
    expect(compareTerms(term1, term2, operation)).toBe(expected);
  });

  it('rejects an unknown operation', () => {
    expect(() => compareTerms('a', 'b', 'almost')).toThrow(StepError);
  });
});

describe('condition handlers', () => {
  let h: BotHarness;
  let answerReceived: number;
  let intent: number;
  beforeAll(async () => {
    h = await startBotSandbox();
    answerReceived = h.field('ANSWER_RECEIVED', 'text');
    intent = h.field('INTENT', 'text');
  });
  afterAll(() => h.close());

  const plural = (logic: string, conditions: unknown[], step: number) => ({
    handler: 'conditions',
    params: { logic, conditions, result: [goto(step)] },
  });

  it('branches on the plural form with "and" and "or" over fields and the message', async () => {
    await h.uploadBot([
      {
        question: [
          plural(
            'and',
            [
              { term1: `{{lead.cf.${answerReceived}}}`, term2: '', operation: 'filled' },
              { term1: `{{lead.cf.${intent}}}`, term2: '#Meeting', operation: 'contains' },
            ],
            1,
          ),
          plural(
            'or',
            [
              { term1: '{{message_text}}', term2: 'human', operation: '=' },
              { term1: '{{message_text}}', term2: 'attendant', operation: 'contains' },
            ],
            2,
          ),
          goto(3),
        ],
      },
      { question: [show('meeting branch')] },
      { question: [show('attendant branch')] },
      { question: [show('general branch')] },
    ]);
    const meeting = h.lead();
    h.context.kommo.setLeadFieldValue(h.accountId, meeting, answerReceived, 'Full');
    h.context.kommo.setLeadFieldValue(h.accountId, meeting, intent, 'Intent: #Meeting');
    const attendant = h.lead();
    h.context.kommo.setLeadFieldValue(h.accountId, attendant, intent, 'Intent: #Meeting');
    const general = h.lead();

    await h.say(meeting, 'book me');
    await h.say(attendant, 'Please, an ATTENDANT');
    await h.say(general, 'hello');
    const results = await Promise.all(
      [meeting, attendant, general].map((lead) => h.waitForChat(lead, isRunStatus('finished'))),
    );
    expect(results.map((chat) => h.texts(chat, 'bot'))).toEqual([
      ['meeting branch'],
      ['attendant branch'],
      ['general branch'],
    ]);
  });

  it('branches on the documented singular form, including a bare term like chat.origin', async () => {
    await h.uploadBot([
      {
        question: [
          {
            handler: 'condition',
            params: { term1: 'chat.origin', term2: 'telegram', operation: '=', result: [goto(1)] },
          },
          {
            handler: 'condition',
            params: {
              term1: `{{lead.cf.${intent}}}`,
              term2: '',
              operation: 'empty',
              result: [show('intent is empty')],
            },
          },
          show('not telegram'),
        ],
      },
      { question: [show('telegram')] },
    ]);
    const fromTelegram = h.lead();
    const fromChat = h.lead();
    await h.say(fromTelegram, 'hi', { origin: 'telegram' });
    await h.say(fromChat, 'hi');
    const [tg, other] = await Promise.all(
      [fromTelegram, fromChat].map((lead) => h.waitForChat(lead, isRunStatus('finished'))),
    );
    expect(h.texts(tg!, 'bot')).toEqual(['telegram']);
    expect(h.texts(other!, 'bot')).toEqual(['intent is empty', 'not telegram']);
  });

  it('treats an unknown operation as a failed step', async () => {
    await h.uploadBot([
      {
        question: [
          plural('and', [{ term1: 'a', term2: 'b', operation: 'almost' }], 0),
          show('never'),
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi');
    const chat = await h.waitForChat(lead, isRunStatus('failed'));
    expect(h.texts(chat, 'error')[0]).toMatch(/unknown condition operation "almost"/);
    expect(h.texts(chat, 'bot')).toEqual([]);
  });
});
