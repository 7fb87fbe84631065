import { describe, expect, it } from 'vitest';
import { type HandAddedStep } from '@gpt-bridge/shared';
import { translator } from '../i18n/translate';
import { handAddedLines, stepRanges } from './hand-added';

const CHATGPT = 'https://bridge.test/tok-chatgpt/handler';
const list: HandAddedStep[] = [
  { step: 4, kind: 'timed_wait', seconds: 20, onMessageStep: 5, onTimeoutStep: 6 },
  { step: 7, kind: 'webhook', url: CHATGPT },
  { step: 8, kind: 'pause', seconds: 5 },
  { step: 9, kind: 'pause', seconds: 5 },
  { step: 10, kind: 'pause', seconds: 5 },
  { step: 30, kind: 'pause', seconds: 45 },
  { step: 31, kind: 'webhook', url: CHATGPT },
  { step: 40, kind: 'pause', seconds: 5 },
];

describe('the steps to add by hand', () => {
  it('groups webhooks by URL and pauses by length, with step ranges; each timed wait alone', () => {
    expect(handAddedLines(list, translator('en'))).toEqual([
      `Steps 7, 31: a "Send webhook" step to ${CHATGPT}`,
      'Steps 8-10, 40: a "Pause" step of 5 seconds',
      'Steps 30: a "Pause" step of 45 seconds',
      "Step 4: wait for the customer's answer at most 20 seconds; an answer goes to step 5, no answer to step 6",
    ]);
  });

  it('speaks Portuguese and Spanish, with every value filled in', () => {
    for (const lang of ['pt', 'es'] as const) {
      const lines = handAddedLines(list, translator(lang));
      expect(lines).toHaveLength(4);
      expect(lines.join('\n')).not.toMatch(/\{\w+\}/);
      expect(lines[0]).toContain(CHATGPT);
      expect(lines[3]).toContain('20');
    }
    expect(handAddedLines(list, translator('pt'))[1]).toBe(
      'Passos 8-10, 40: um passo "Pausa" de 5 segundos',
    );
    expect(handAddedLines(list, translator('es'))[1]).toBe(
      'Pasos 8-10, 40: un paso "Pausa" de 5 segundos',
    );
  });

  it('lists nothing for a template without such steps', () => {
    expect(handAddedLines([], translator('en'))).toEqual([]);
    expect(stepRanges([3, 1, 2, 2, 9])).toBe('1-3, 9');
  });
});
