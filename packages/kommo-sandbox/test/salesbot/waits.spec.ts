import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });

describe('pauses and waits (sandbox clock)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // Lenient mode: these run the engine's other forms too (sandbox extensions, editor
    // exports); what strict mode takes is tested in strict.spec.ts.
    h = await startBotSandbox({ strict: false });
  });
  afterAll(() => h.close());

  it('pauses 45 s of sandbox time and goes on when the clock is advanced', async () => {
    await h.uploadBot([
      { question: [show('before'), { handler: 'pause', params: { seconds: 45 } }, show('after')] },
    ]);
    const lead = h.lead();
    await h.say(lead, 'go');
    let chat = await h.waitForChat(lead, isRunStatus('paused'));
    expect(h.texts(chat, 'bot')).toEqual(['before']);
    h.context.clock.advance(44_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    chat = await h.chat(lead);
    expect(chat.run?.status).toBe('paused');
    h.context.clock.advance(1_000);
    chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['before', 'after']);
  });

  it('accepts {value, unit} pauses and reports when the pause ends', async () => {
    await h.uploadBot([
      { question: [{ handler: 'pause', params: { value: 2, unit: 'minutes' } }, show('done')] },
    ]);
    const lead = h.lead();
    const started = h.context.clock.now();
    await h.say(lead, 'go');
    const chat = await h.waitForChat(lead, isRunStatus('paused'));
    const until = chat.run?.waiting?.until ?? 0;
    expect(until - started).toBeGreaterThanOrEqual(120_000);
    expect(until - started).toBeLessThan(125_000);
    h.context.clock.advance(120_000);
    await h.waitForChat(lead, isRunStatus('finished'));
  });

  it('resumes wait_answer with the next customer message as {{message_text}}', async () => {
    await h.uploadBot([
      {
        question: [
          show('Your name?'),
          { handler: 'wait_answer', params: { type: 'question', step: 1 } },
          show('never'),
        ],
      },
      { question: [show('Nice to meet you, {{message_text}}')] },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi');
    await h.waitForChat(lead, isRunStatus('waiting_answer'));
    await h.say(lead, 'Ana');
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Your name?', 'Nice to meet you, Ana']);
    expect(chat.run?.bot_id).toBeDefined();
    // The answer resumed the same run; it did not start a second one.
    expect(h.texts(chat, 'event').filter((t) => t.includes('started'))).toHaveLength(1);
  });

  it('times out wait_answer: on_timeout goes to its step, without it the run expires', async () => {
    await h.uploadBot([
      {
        question: [
          {
            handler: 'wait_answer',
            params: {
              type: 'question',
              step: 1,
              timeout: 60,
              on_timeout: { type: 'question', step: 2 },
            },
          },
        ],
      },
      { question: [show('answered')] },
      {
        question: [
          show('still there?'),
          { handler: 'wait_answer', params: { type: 'question', step: 1, timeout: 30 } },
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi');
    await h.waitForChat(lead, isRunStatus('waiting_answer'));
    h.context.clock.advance(60_000);
    await h.waitForChat(
      lead,
      (c) => h.texts(c, 'bot').includes('still there?') && c.run?.status === 'waiting_answer',
    );
    h.context.clock.advance(30_000);
    const chat = await h.waitForChat(lead, isRunStatus('expired'));
    expect(chat.run?.end_reason).toBe('no answer within 30 s');
    expect(h.texts(chat, 'bot')).toEqual(['still there?']);
  });

  it('uses the default wait timeout for an answer block, set through the control API', async () => {
    await h.control('PATCH', '/salesbot/settings', { wait_answer_timeout_ms: 5_000 });
    try {
      await h.uploadBot([{ question: [show('question')], answer: [show('answer')] }]);
      const lead = h.lead();
      await h.say(lead, 'hi');
      await h.waitForChat(lead, isRunStatus('waiting_answer'));
      h.context.clock.advance(5_000);
      const chat = await h.waitForChat(lead, isRunStatus('expired'));
      expect(h.texts(chat, 'bot')).toEqual(['question']);
    } finally {
      await h.control('PATCH', '/salesbot/settings', { wait_answer_timeout_ms: 86_400_000 });
    }
  });

  it('waits (editor pause) for a message or a timer, whichever comes first', async () => {
    const waits = {
      handler: 'waits',
      params: {
        logic: 'or',
        conditions: [
          {
            event: { source: 'message', action: 'received' },
            action: { type: 'question', step: 1 },
          },
          { event: { source: 'timer', seconds: 20 }, action: { type: 'question', step: 2 } },
        ],
      },
    };
    await h.uploadBot([
      { question: [waits] },
      { question: [show('message came')] },
      { question: [show('20 s passed')] },
    ]);
    const byMessage = h.lead();
    const byTimer = h.lead();
    await h.say(byMessage, 'start');
    await h.say(byTimer, 'start');
    await h.waitForChat(byMessage, isRunStatus('waiting_answer'));
    await h.waitForChat(byTimer, isRunStatus('waiting_answer'));
    await h.say(byMessage, 'more text');
    const first = await h.waitForChat(byMessage, isRunStatus('finished'));
    expect(h.texts(first, 'bot')).toEqual(['message came']);
    h.context.clock.advance(20_000);
    const second = await h.waitForChat(byTimer, isRunStatus('finished'));
    expect(h.texts(second, 'bot')).toEqual(['20 s passed']);
  });

  it('records a message that arrives during a pause without starting another run', async () => {
    await h.uploadBot([
      { question: [{ handler: 'pause', params: { seconds: 10 } }, show('last: {{message_text}}')] },
    ]);
    const lead = h.lead();
    await h.say(lead, 'first');
    await h.waitForChat(lead, isRunStatus('paused'));
    await h.say(lead, 'second');
    h.context.clock.advance(10_000);
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'customer')).toEqual(['first', 'second']);
    expect(h.texts(chat, 'bot')).toEqual(['last: second']);
  });
});
