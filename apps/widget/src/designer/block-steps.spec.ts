import { describe, expect, it } from 'vitest';
import { blockSteps, isBlockCode, unconnectedSteps } from './block-steps';

describe('salesbot block steps', () => {
  it("calls our widget_request URL, then goes to a branch on {{json.status}} (Kommo's pattern)", () => {
    const steps = blockSteps('https://api.example/tok/widget-request', {
      prompt: 'Summarise {{lead.id}}',
    }) as {
      question: { handler: string; params: Record<string, unknown> }[];
    }[];
    expect(steps).toHaveLength(2);
    const [call, next] = steps[0]!.question;
    expect(call!.handler).toBe('widget_request');
    expect(call!.params).toEqual({
      url: 'https://api.example/tok/widget-request',
      data: {
        prompt: 'Summarise {{lead.id}}',
        message: '{{message_text}}',
        lead_id: '{{lead.id}}',
        // The continue's own goto lands on the same branch step (a fallback, not the path).
        next_step: 1,
      },
    });
    expect(call!.params.data).not.toHaveProperty('error_step');
    expect(next).toEqual({ handler: 'goto', params: { type: 'question', step: 1 } });
    expect(steps[1]!.question).toEqual([
      {
        handler: 'conditions',
        params: {
          logic: 'and',
          conditions: [{ term1: '{{json.status}}', term2: 'ok', operation: '=' }],
          result: [{ handler: 'exits', params: { value: 'success' } }],
        },
      },
      {
        handler: 'conditions',
        params: {
          logic: 'and',
          conditions: [{ term1: '{{json.status}}', term2: 'human', operation: '=' }],
          result: [{ handler: 'exits', params: { value: 'human' } }],
        },
      },
      { handler: 'exits', params: { value: 'fail' } },
    ]);
  });

  it('asks with the customer message when the prompt was left empty', () => {
    const steps = blockSteps('https://x/y', { prompt: '  ' }) as {
      question: { params: { data: { prompt: string } } }[];
    }[];
    expect(steps[0]!.question[0]!.params.data.prompt).toBe('{{message_text}}');
  });

  it('tells the team in the documented send_internal form when saved unconnected', () => {
    expect(unconnectedSteps('GPT Bridge is not connected')).toEqual([
      {
        question: [
          {
            handler: 'send_internal',
            params: {
              entity_id: '{{lead.id}}',
              entity_type: 2,
              message: 'GPT Bridge is not connected',
            },
          },
          { handler: 'exits', params: { value: 'fail' } },
        ],
      },
    ]);
  });

  it('knows only the manifest handler codes', () => {
    expect(isBlockCode('ask_assistant')).toBe(true);
    expect(isBlockCode('ask_chatgpt')).toBe(true);
    expect(isBlockCode('toString')).toBe(false);
  });
});
