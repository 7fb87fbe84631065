import { type TestConsoleResult } from '@gpt-bridge/shared';
import { useState, type FormEvent } from 'react';
import { ErrorBox } from './error-box';
import { usePanel } from './panel-context';

/** A prompt through the account's saved provider settings: answer, latency, or the error line. */
export function ConsoleSection() {
  const { api, t } = usePanel();
  const [kind, setKind] = useState<'assistant' | 'chatgpt'>('assistant');
  const [prompt, setPrompt] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<TestConsoleResult | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setResult(null);
    setError(null);
    try {
      setResult(await api.testConsole({ kind, prompt }));
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="gptb-section" aria-labelledby="gptb-console">
      <h3 id="gptb-console">{t('console')}</h3>
      <p className="gptb-intro">{t('consoleIntro')}</p>
      <form onSubmit={(event) => void send(event)}>
        <label htmlFor="gptb-console-kind">{t('consoleKind')}</label>
        <select
          id="gptb-console-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as typeof kind)}
        >
          <option value="assistant">{t('webhookAssistant')}</option>
          <option value="chatgpt">{t('webhookChatgpt')}</option>
        </select>
        <label htmlFor="gptb-console-prompt">{t('consolePrompt')}</label>
        <textarea
          id="gptb-console-prompt"
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
        />
        <div className="gptb-row">
          <button type="submit" className="gptb-primary" disabled={sending || prompt.trim() === ''}>
            {t('consoleSend')}
          </button>
          {sending && <span role="status">{t('consoleSending')}</span>}
        </div>
      </form>
      {error && <ErrorBox error={error} />}
      {result?.ok === true && (
        <div data-testid="gptb-console-result">
          <strong>{t('consoleAnswer')}</strong>
          <div className="gptb-answer" data-testid="gptb-console-answer">
            {result.answer}
          </div>
          <p className="gptb-muted" data-testid="gptb-console-meta">
            {t('consoleLatency', {
              provider: result.provider,
              model: result.model,
              ms: result.latencyMs,
            })}
            {result.totalTokens !== null &&
              ` · ${t('consoleTokens', { tokens: result.totalTokens })}`}
          </p>
        </div>
      )}
      {result?.ok === false && (
        <div data-testid="gptb-console-result">
          <div className="gptb-error" role="alert" data-testid="gptb-console-error">
            {t('consoleError')}: {result.error}
          </div>
          <p className="gptb-muted" data-testid="gptb-console-meta">
            {result.errorClass}
            {result.latencyMs !== null && ` · ${result.latencyMs} ms`}
          </p>
        </div>
      )}
    </section>
  );
}
