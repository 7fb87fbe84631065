import { describe, expect, it } from 'vitest';
import {
  allHandlers,
  BotBuilder,
  botProblems,
  goto,
  show,
  waitAnswer,
  widgetRequest,
} from './bot-json';

describe('BotBuilder', () => {
  it('numbers steps in order from 0 and resolves named jumps anywhere in the params', () => {
    const b = new BotBuilder();
    b.add('first', 'the start', [goto(b.ref('third'))]);
    b.add('second', 'a block', [widgetRequest('https://x.test', { next_step: b.ref('first') })]);
    b.add('third', 'the end', [waitAnswer(b.ref('second'), { seconds: 5, then: b.ref('first') })]);
    b.onError([goto(b.ref('second'))]);
    const { bot, outline } = b.build();
    expect(outline).toEqual([
      { step: 0, name: 'first', role: 'the start' },
      { step: 1, name: 'second', role: 'a block' },
      { step: 2, name: 'third', role: 'the end' },
    ]);
    expect(bot[0]).toEqual({
      question: [{ handler: 'goto', params: { type: 'question', step: 2 } }],
    });
    expect(bot[1]?.question[0]?.params).toEqual({ url: 'https://x.test', data: { next_step: 0 } });
    expect(bot[2]?.question[0]?.params).toEqual({
      type: 'question',
      step: 1,
      timeout: 5,
      on_timeout: { type: 'question', step: 0 },
    });
    expect(bot.error).toEqual([{ handler: 'goto', params: { type: 'question', step: 1 } }]);
    expect(botProblems(bot)).toEqual([]);
  });

  it('refuses a jump to a step that was never added, and a name used twice', () => {
    const b = new BotBuilder().add('only', 'x', [goto(new BotBuilder().ref('nowhere'))]);
    expect(() => b.build()).toThrow('no step named "nowhere"');
    expect(() => b.add('only', 'again', [])).toThrow('defined twice');
  });
});

describe('botProblems', () => {
  it('finds jumps to missing steps, gaps in the numbering and empty steps', () => {
    const problems = botProblems({
      0: { question: [goto(7), { handler: 'conditions', params: { result: [goto(9)] } }] },
      2: { question: [widgetRequest('https://x.test', { next_step: 0, error_step: 8 })] },
      3: { question: [] },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'steps are not numbered 0..n-1',
        expect.stringContaining('step 0.question[0] goto jumps to missing step 7'),
        expect.stringContaining('result[0] goto jumps to missing step 9'),
        expect.stringContaining('error_step jumps to missing step 8'),
        'step 3 is empty',
      ]),
    );
  });

  it('lists handlers inside conditions too', () => {
    const names = allHandlers({
      0: { question: [{ handler: 'conditions', params: { result: [show('hi')] } }] },
      error: [goto(0)],
    }).map((h) => h.handler);
    expect(names).toEqual(['conditions', 'show', 'goto']);
  });
});
