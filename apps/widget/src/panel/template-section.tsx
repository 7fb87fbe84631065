import { type WidgetFieldsCheck } from '@gpt-bridge/shared';
import { useState } from 'react';
import { type InstalledTemplate, type TemplateKind } from '../lib/api-client';
import { copyText } from '../lib/copy-text';
import { ErrorBox } from './error-box';
import { handAddedLines } from './hand-added';
import { usePanel } from './panel-context';
import { type Loaded } from './use-load';

// The fields each template writes to; the widget-block one needs no ANSWER / LOG polling.
const NEEDS: Record<TemplateKind, string[]> = {
  classic: ['MESSAGE', 'PROMPT', 'ANSWER', 'ANSWER_RECEIVED', 'LOG', 'ON_OFF'],
  widget_block: ['MESSAGE', 'PROMPT', 'ON_OFF'],
};

/** Offers the JSON as a file, the way the designer's import wants it. */
function download(template: InstalledTemplate): void {
  const url = URL.createObjectURL(new Blob([template.json], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `gpt-bridge-${template.kind.replace('_', '-')}-salesbot.json`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The salesbot template for this account: its JSON, the steps to import it, a fields check. */
export function TemplateSection({ fields }: { fields: Loaded<WidgetFieldsCheck> }) {
  const { api, t } = usePanel();
  const [kind, setKind] = useState<TemplateKind>('widget_block');
  const [burstWindow, setBurstWindow] = useState(false);
  const [template, setTemplate] = useState<InstalledTemplate | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  const load = async () => {
    setError(null);
    setTemplate(null);
    setCopied(null);
    try {
      setTemplate(await api.template(kind, burstWindow));
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const missing =
    fields.state === 'ready' ? fields.value.missing.filter((key) => NEEDS[kind].includes(key)) : [];

  return (
    <section className="gptb-section" aria-labelledby="gptb-template">
      <h3 id="gptb-template">{t('template')}</h3>
      <p className="gptb-intro">{t('templateIntro')}</p>
      <label htmlFor="gptb-template-kind">{t('templateKind')}</label>
      <div className="gptb-row">
        <select
          id="gptb-template-kind"
          value={kind}
          onChange={(event) => {
            setKind(event.target.value as TemplateKind);
            setTemplate(null);
          }}
        >
          <option value="widget_block">{t('templateWidgetBlock')}</option>
          <option value="classic">{t('templateClassic')}</option>
        </select>
        <button type="button" onClick={() => void load()}>
          {t('templateLoad')}
        </button>
      </div>
      {kind === 'widget_block' && (
        <label className="gptb-check">
          <input
            type="checkbox"
            checked={burstWindow}
            onChange={(event) => {
              setBurstWindow(event.target.checked);
              setTemplate(null);
            }}
          />{' '}
          {t('templateBurstWindow')}
        </label>
      )}
      {fields.state === 'ready' && (
        <p data-testid="gptb-template-fields" className={missing.length ? 'gptb-bad' : 'gptb-ok'}>
          {missing.length === 0
            ? t('templateFieldsOk')
            : t('templateFieldsMissing', { fields: missing.join(', ') })}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {template && (
        <div data-testid="gptb-template-ready">
          <div className="gptb-row">
            <button type="button" className="gptb-primary" onClick={() => download(template)}>
              {t('templateDownload')}
            </button>
            <button type="button" onClick={() => void copyText(template.json).then(setCopied)}>
              {t('templateCopy')}
            </button>
            {copied !== null && (
              <span role="status" className={copied ? 'gptb-ok' : 'gptb-bad'}>
                {copied ? t('copied') : t('copyFailed')}
              </span>
            )}
            <span className="gptb-muted">
              {t('templateSize', { kb: (template.bytes / 1024).toFixed(1) })}
            </span>
          </div>
          <p
            data-testid="gptb-template-recommended"
            className={template.recommended ? 'gptb-ok' : 'gptb-bad'}
          >
            {template.recommended ? t('templateRecommended') : t('templateNotRecommended')}
          </p>
          <strong>{t('templateSteps')}</strong>
          <ol className="gptb-steps" data-testid="gptb-template-steps">
            {template.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
          {template.handAdded.length > 0 && (
            <div data-testid="gptb-template-hand-added">
              <strong>{t('handAdded')}</strong>
              <p className="gptb-intro">{t('handAddedIntro')}</p>
              <ul className="gptb-steps">
                {handAddedLines(template.handAdded, t).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
