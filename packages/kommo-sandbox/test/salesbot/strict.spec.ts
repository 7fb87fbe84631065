import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBotScript } from '../../src/salesbot/bot-schema.js';
import { describeProblem, strictProblems } from '../../src/salesbot/strict.js';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
const goto = (step: number) => ({ handler: 'goto', params: { type: 'question', step } });
const note = (params: Record<string, unknown>) => ({
  handler: 'action',
  params: { name: 'add_note', params },
});
const stop = { handler: 'stop', params: {} };

/** What strict mode says about a script, one line per problem. */
const problems = (script: unknown, handAdded: number[] = []) =>
  strictProblems(parseBotScript(script), handAdded).map(describeProblem);

describe('strict mode: documented handlers and params only', () => {
  it('takes a bot written with documented handlers only', () => {
    const script = {
      0: {
        question: [
          show('Your name?'),
          { handler: 'wait_answer', params: { type: 'question', step: 1 } },
        ],
      },
      1: {
        question: [
          note({ element_type: 2, note_type: 4, text: 'Name: {{message_text}}' }),
          {
            handler: 'conditions',
            params: {
              logic: 'and',
              conditions: [{ term1: '{{message_text}}', term2: 'ana', operation: 'contains' }],
              result: [goto(2)],
            },
          },
          {
            handler: 'send_internal',
            params: { entity_id: '{{lead.id}}', entity_type: 2, message: 'Not Ana' },
          },
        ],
        finish: [stop],
      },
      2: {
        question: [show('Hi Ana')],
        finish: [{ handler: 'stop', params: { action: 'talk-close' } }],
      },
    };
    expect(problems(script)).toEqual([]);
  });

  it('names the step, the handler and what is wrong for undocumented handlers and params', () => {
    const script = {
      0: {
        question: [
          { handler: 'send_message', params: { text: 'Hi' } },
          note({ type: 2, text: 'old form' }),
          { handler: 'send_internal', params: { text: 'to the team' } },
          { handler: 'goto', params: { type: 'question', step: 1, when: 'now' } },
        ],
      },
      1: {
        question: [
          {
            handler: 'conditions',
            params: {
              logic: 'and',
              conditions: [{ term1: 'a', term2: 'a', operation: '=' }],
              result: [{ handler: 'talk_close' }],
            },
          },
          stop,
        ],
      },
    };
    expect(problems(script)).toEqual([
      'step 0.question[0] "send_message": not a documented handler',
      'step 0.question[1] "action add_note": missing element_type, note_type; undocumented type (documented: element_type, note_type, text)',
      'step 0.question[2] "send_internal": missing entity_id, entity_type, message; undocumented text (documented: entity_id, entity_type, message)',
      'step 0.question[3] "goto": undocumented when (documented: type, step)',
      'step 1.question[0].result[0] "talk_close": not a documented handler',
      `step 1.question[1] "stop": stop is documented in a step's finish block only`,
    ]);
  });

  it('takes the designer UI-only steps only in hand-added steps, one form each', () => {
    const script = {
      0: {
        question: [
          { handler: 'webhook', params: { url: 'https://bridge.test/hook' } },
          { handler: 'pause', params: { seconds: 5 } },
          {
            handler: 'wait_answer',
            params: {
              type: 'question',
              step: 1,
              timeout: 20,
              on_timeout: { type: 'question', step: 1 },
            },
          },
        ],
      },
      1: { question: [{ handler: 'pause', params: { minutes: 1 } }] },
    };
    const refused = problems(script);
    expect(refused).toHaveLength(4);
    expect(refused[0]).toMatch(/^step 0\.question\[0\] "webhook": .*hand_added/);
    expect(refused[1]).toMatch(/^step 0\.question\[1\] "pause": .*hand_added/);
    expect(refused[2]).toMatch(
      /^step 0\.question\[2\] "wait_answer": undocumented timeout, on_timeout/,
    );
    // Step 0 counted as added by hand: its three steps pass; step 1's pause has no such form.
    expect(problems(script, [0])).toEqual([
      'step 1.question[0] "pause": the designer\'s "Pause" step has no documented JSON; "Pause": pause {seconds} is taken only in a step uploaded as hand_added',
    ]);
    expect(problems(script, [0, 1])).toEqual([
      'step 1.question[0] "pause": missing seconds; undocumented minutes (documented: seconds)',
    ]);
    expect(problems(script, [0, 7])).toContainEqual('hand_added "-": there is no step 7');
  });
});

describe('strict mode in the engine and the control API', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotSandbox();
  });
  afterAll(() => h.close());

  const upload = (script: unknown, extra: Record<string, unknown> = {}) =>
    h.control<{ id?: number; error?: string; problems?: { where: string; handler: string }[] }>(
      'POST',
      '/salesbot/bots',
      { account: h.subdomain, name: 'Strict', script, ...extra },
    );

  it('is on by default, refuses an undocumented bot with 400 and takes hand-added steps', async () => {
    expect((await h.control<{ strict: boolean }>('GET', '/salesbot/settings')).body.strict).toBe(
      true,
    );
    const script = [
      { question: [show('One moment'), { handler: 'pause', params: { seconds: 5 } }] },
    ];
    const refused = await upload(script);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('strict mode');
    expect(refused.body.problems).toEqual([
      expect.objectContaining({ where: 'step 0.question[1]', handler: 'pause' }),
    ]);
    expect(
      (await h.control<{ bots: unknown[] }>('GET', `/salesbot/bots?account=${h.subdomain}`)).body
        .bots,
    ).toEqual([]);
    expect((await upload(script, { hand_added: 'all' })).status).toBe(400);
    const taken = await upload(script, { hand_added: [0] });
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ hand_added: [0] });
    // A PATCH that drops the hand-added step is refused too, and changes nothing.
    const patched = await h.control('PATCH', `/salesbot/bots/${taken.body.id}`, { hand_added: [] });
    expect(patched.status).toBe(400);
    const lead = h.lead();
    await h.say(lead, 'hi');
    const chat = await h.waitForChat(lead, isRunStatus('paused'));
    expect(h.texts(chat, 'bot')).toEqual(['One moment']);
    await h.control('POST', `/salesbot/leads/${lead}/stop`, { account: h.subdomain });
  });

  it('lenient mode runs the other forms; a bot stored then fails at once when strict is back', async () => {
    expect((await h.control('PATCH', '/salesbot/settings', { strict: 'yes' })).status).toBe(400);
    expect((await h.control('PATCH', '/salesbot/settings', { strict: false })).status).toBe(200);
    const script = [{ question: [{ handler: 'send_message', params: { text: 'Hello' } }] }];
    const stored = await upload(script);
    expect(stored.status).toBe(201);
    const lenientLead = h.lead();
    await h.control('POST', `/salesbot/leads/${lenientLead}/run`, {
      account: h.subdomain,
      bot_id: stored.body.id,
    });
    const lenient = await h.waitForChat(lenientLead, isRunStatus('finished'));
    expect(h.texts(lenient, 'bot')).toEqual(['Hello']);

    expect((await h.control('PATCH', '/salesbot/settings', { strict: true })).status).toBe(200);
    const lead = h.lead();
    await h.control('POST', `/salesbot/leads/${lead}/run`, {
      account: h.subdomain,
      bot_id: stored.body.id,
    });
    const chat = await h.waitForChat(lead, isRunStatus('failed'));
    expect(chat.run?.end_reason).toBe(
      'strict mode refuses step 0.question[0] "send_message": not a documented handler',
    );
    expect(h.texts(chat, 'error')).toContain(
      'Strict mode: step 0.question[0] "send_message": not a documented handler',
    );
    expect(h.texts(chat, 'bot')).toEqual([]);
  });

  it('is on again after a sandbox reset', async () => {
    await h.control('PATCH', '/salesbot/settings', { strict: false });
    expect((await h.control('POST', '/reset', {})).status).toBeLessThan(300);
    expect((await h.control<{ strict: boolean }>('GET', '/salesbot/settings')).body.strict).toBe(
      true,
    );
  });
});
