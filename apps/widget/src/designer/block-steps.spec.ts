import { describe, expect, it } from 'vitest';
import { blockSteps, isBlockCode } from './block-steps';

describe('salesbot block steps', () => {
  it('calls our widget_request URL, then leaves by success (step 1) or fail (step 2)', () => {
    const steps = blockSteps('https://api.example/tok/widget-request', {
      prompt: 'Summarise {{lead.id}}',
    }) as {
      question: { handler: string; params: Record<string, unknown> }[];
    }[];
    const call = steps[0]!.question[0]!;
    expect(call.handler).toBe('widget_request');
    expect(call.params).toEqual({
      url: 'https://api.example/tok/widget-request',
      data: {
        prompt: 'Summarise {{lead.id}}',
        message: '{{message_text}}',
        lead_id: '{{lead.id}}',
        next_step: 1,
        error_step: 2,
      },
    });
    expect(steps[1]!.question).toEqual([{ handler: 'exits', params: { value: 'success' } }]);
    expect(steps[2]!.question).toEqual([{ handler: 'exits', params: { value: 'fail' } }]);
  });

  it('asks with the customer message when the prompt was left empty', () => {
    const steps = blockSteps('https://x/y', { prompt: '  ' }) as {
      question: { params: { data: { prompt: string } } }[];
    }[];
    expect(steps[0]!.question[0]!.params.data.prompt).toBe('{{message_text}}');
  });

  it('knows only the manifest handler codes', () => {
    expect(isBlockCode('ask_assistant')).toBe(true);
    expect(isBlockCode('ask_chatgpt')).toBe(true);
    expect(isBlockCode('toString')).toBe(false);
  });
});
