import {
  type AssistantProviderName,
  type ProviderSettingsInput,
  type ProviderSettingsView,
} from '@gpt-bridge/shared';

/** What the form holds: keys typed now (empty = keep the saved one), the rest as shown. */
export type ProviderForm = {
  openaiApiKey: string;
  removeOpenaiKey: boolean;
  provider: AssistantProviderName;
  apiKey: string;
  removeApiKey: boolean;
  model: string;
  instructions: string;
  baseUrl: string;
  agentId: string;
  apiVersion: '' | 'v1' | 'v2';
};

/** Which inputs each assistant provider uses. */
export const PROVIDER_INPUTS: Record<
  AssistantProviderName,
  { model: boolean; instructions: boolean; baseUrl: boolean; agent: boolean }
> = {
  openai: { model: true, instructions: true, baseUrl: false, agent: false },
  dify: { model: false, instructions: false, baseUrl: true, agent: false },
  chatbase: { model: false, instructions: false, baseUrl: false, agent: true },
  openai_compatible: { model: true, instructions: true, baseUrl: true, agent: false },
};

export function formFromView(view: ProviderSettingsView): ProviderForm {
  const a = view.assistant;
  return {
    openaiApiKey: '',
    removeOpenaiKey: false,
    provider: a.provider,
    apiKey: '',
    removeApiKey: false,
    model: a.model ?? '',
    instructions: a.instructions ?? '',
    baseUrl: a.baseUrl ?? '',
    agentId: a.agentId ?? '',
    apiVersion: a.apiVersion ?? '',
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
/** A key typed now replaces the saved one, "remove" clears it, nothing keeps it. */
const keyChange = (typed: string, remove: boolean) =>
  typed.trim() !== '' ? typed.trim() : remove ? null : undefined;

/** The PUT body: inputs the chosen provider does not use are cleared. */
export function inputFromForm(form: ProviderForm): ProviderSettingsInput {
  const uses = PROVIDER_INPUTS[form.provider];
  return {
    openaiApiKey: keyChange(form.openaiApiKey, form.removeOpenaiKey),
    assistant: {
      provider: form.provider,
      apiKey: keyChange(form.apiKey, form.removeApiKey),
      model: uses.model ? orNull(form.model) : null,
      instructions: uses.instructions && form.instructions.trim() !== '' ? form.instructions : null,
      baseUrl: uses.baseUrl ? orNull(form.baseUrl) : null,
      agentId: uses.agent ? orNull(form.agentId) : null,
      apiVersion: uses.agent && form.apiVersion !== '' ? form.apiVersion : null,
    },
  };
}
