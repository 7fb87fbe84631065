// Types only from the shared package: its values would pull Zod into a bundle that needs none.
import { type AssistantProviderName, type ProviderSettingsView } from '@gpt-bridge/shared';
import { useState, type FormEvent } from 'react';
import { type MessageKey } from '../i18n/messages-en';
import { ErrorBox } from './error-box';
import { usePanel } from './panel-context';
import { formFromView, inputFromForm, PROVIDER_INPUTS, type ProviderForm } from './provider-form';
import { useLoad } from './use-load';

const PROVIDER_LABELS: Record<AssistantProviderName, MessageKey> = {
  openai: 'providerOpenai',
  dify: 'providerDify',
  chatbase: 'providerChatbase',
  openai_compatible: 'providerCompatible',
};

/** A key input: the saved key is only ever shown as its hint. */
function KeyInput(props: {
  id: string;
  label: string;
  saved: ProviderSettingsView['openaiApiKey'];
  value: string;
  removed: boolean;
  onChange: (value: string) => void;
  onRemove: () => void;
}) {
  const { t } = usePanel();
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <div className="gptb-row">
        <input
          id={props.id}
          type="password"
          autoComplete="off"
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
        <span className="gptb-muted" data-testid={`${props.id}-hint`}>
          {props.removed || !props.saved.set
            ? t('keyNotSet')
            : t('keySaved', { hint: props.saved.hint ?? '…' })}
        </span>
        {props.saved.set && !props.removed && (
          <button type="button" onClick={props.onRemove}>
            {t('removeKey')}
          </button>
        )}
      </div>
    </>
  );
}

/** A labelled one-line input. */
function TextInput(props: {
  id: string;
  label: string;
  type?: 'text' | 'url';
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </>
  );
}

function ProvidersForm({
  view,
  onSaved,
}: {
  view: ProviderSettingsView;
  onSaved: (view: ProviderSettingsView) => void;
}) {
  const { api, t } = usePanel();
  const [form, setForm] = useState<ProviderForm>(() => formFromView(view));
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<Error | null>(null);
  const set = (patch: Partial<ProviderForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setState('idle');
  };
  const uses = PROVIDER_INPUTS[form.provider];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState('saving');
    setError(null);
    try {
      const saved = await api.saveProviders(inputFromForm(form));
      onSaved(saved);
      setForm(formFromView(saved));
      setState('saved');
    } catch (caught) {
      setError(caught as Error);
      setState('idle');
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} data-testid="gptb-providers-form">
      <KeyInput
        id="gptb-openai-key"
        label={t('openaiKey')}
        saved={view.openaiApiKey}
        value={form.openaiApiKey}
        removed={form.removeOpenaiKey}
        onChange={(openaiApiKey) => set({ openaiApiKey })}
        onRemove={() => set({ removeOpenaiKey: true })}
      />
      <label htmlFor="gptb-provider">{t('assistantProvider')}</label>
      <select
        id="gptb-provider"
        value={form.provider}
        onChange={(event) => set({ provider: event.target.value as AssistantProviderName })}
      >
        {(Object.keys(PROVIDER_LABELS) as AssistantProviderName[]).map((name) => (
          <option key={name} value={name}>
            {t(PROVIDER_LABELS[name])}
          </option>
        ))}
      </select>
      <KeyInput
        id="gptb-assistant-key"
        label={form.provider === 'openai' ? t('assistantKeyOpenai') : t('assistantKey')}
        saved={view.assistant.apiKey}
        value={form.apiKey}
        removed={form.removeApiKey}
        onChange={(apiKey) => set({ apiKey })}
        onRemove={() => set({ removeApiKey: true })}
      />
      {uses.baseUrl && (
        <TextInput
          id="gptb-base-url"
          label={t('baseUrl')}
          type="url"
          value={form.baseUrl}
          onChange={(baseUrl) => set({ baseUrl })}
        />
      )}
      {uses.agent && (
        <>
          <TextInput
            id="gptb-agent"
            label={t('agentId')}
            value={form.agentId}
            onChange={(agentId) => set({ agentId })}
          />
          <label htmlFor="gptb-api-version">{t('apiVersion')}</label>
          <select
            id="gptb-api-version"
            value={form.apiVersion}
            onChange={(e) => set({ apiVersion: e.target.value as ProviderForm['apiVersion'] })}
          >
            <option value="">v2</option>
            <option value="v1">v1</option>
          </select>
        </>
      )}
      {uses.model && (
        <TextInput
          id="gptb-model"
          label={t('model')}
          value={form.model}
          onChange={(model) => set({ model })}
        />
      )}
      {uses.instructions && (
        <>
          <label htmlFor="gptb-instructions">{t('instructions')}</label>
          <textarea
            id="gptb-instructions"
            value={form.instructions}
            onChange={(e) => set({ instructions: e.target.value })}
          />
        </>
      )}
      <div className="gptb-row">
        <button type="submit" className="gptb-primary" disabled={state === 'saving'}>
          {state === 'saving' ? t('saving') : t('save')}
        </button>
        {state === 'saved' && (
          <span role="status" className="gptb-ok" data-testid="gptb-providers-saved">
            {t('saved')}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

/** Provider keys (masked, never returned whole), the assistant's provider, model and instructions. */
export function ProvidersSection() {
  const { api, t } = usePanel();
  const [loaded, reload, replace] = useLoad(api.providers);
  return (
    <section className="gptb-section" aria-labelledby="gptb-providers">
      <h3 id="gptb-providers">{t('providers')}</h3>
      <p className="gptb-intro">{t('providersIntro')}</p>
      {loaded.state === 'loading' && <p>{t('loading')}</p>}
      {loaded.state === 'failed' && <ErrorBox error={loaded.error} onRetry={reload} />}
      {loaded.state === 'ready' && <ProvidersForm view={loaded.value} onSaved={replace} />}
    </section>
  );
}
