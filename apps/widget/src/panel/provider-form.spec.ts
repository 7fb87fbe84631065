import { describe, expect, it } from 'vitest';
import { formFromView, inputFromForm } from './provider-form';

const view = {
  openaiApiKey: { set: true, hint: 'sk-t…9f3a' },
  assistant: {
    provider: 'openai' as const,
    apiKey: { set: false, hint: null },
    model: 'gpt-4o-mini',
    instructions: 'Be brief.',
    baseUrl: null,
    agentId: null,
    apiVersion: null,
  },
};

describe('provider form', () => {
  it('keeps saved keys when nothing was typed and never echoes a hint back', () => {
    const input = inputFromForm(formFromView(view));
    expect(input.openaiApiKey).toBeUndefined();
    expect(input.assistant?.apiKey).toBeUndefined();
    expect(JSON.stringify(input)).not.toContain('9f3a');
    expect(input.assistant).toMatchObject({ model: 'gpt-4o-mini', instructions: 'Be brief.' });
  });

  it('sends a typed key trimmed, and null for a removed one', () => {
    const form = {
      ...formFromView(view),
      openaiApiKey: '  sk-test-new-key-1234 ',
      removeApiKey: true,
    };
    const input = inputFromForm(form);
    expect(input.openaiApiKey).toBe('sk-test-new-key-1234');
    expect(input.assistant?.apiKey).toBeNull();
  });

  it('clears what the chosen provider does not use', () => {
    const form = {
      ...formFromView(view),
      provider: 'chatbase' as const,
      agentId: ' agent-1 ',
      apiVersion: 'v2' as const,
    };
    expect(inputFromForm(form).assistant).toMatchObject({
      provider: 'chatbase',
      model: null,
      instructions: null,
      baseUrl: null,
      agentId: 'agent-1',
      apiVersion: 'v2',
    });
    const compatible = {
      ...formFromView(view),
      provider: 'openai_compatible' as const,
      baseUrl: '',
    };
    expect(inputFromForm(compatible).assistant).toMatchObject({
      baseUrl: null,
      agentId: null,
      model: 'gpt-4o-mini',
    });
  });
});
