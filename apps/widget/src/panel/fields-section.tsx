import { type WidgetFieldsCheck } from '@gpt-bridge/shared';
import { useState } from 'react';
import { ErrorBox } from './error-box';
import { usePanel } from './panel-context';
import { type Loaded } from './use-load';

const POLL_MS = 1000;
const POLL_ROUNDS = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The six lead fields as Kommo has them now, and "re-provision" for the ones deleted there. */
export function FieldsSection({
  check,
  reload,
  replace,
}: {
  check: Loaded<WidgetFieldsCheck>;
  reload: () => void;
  replace: (value: WidgetFieldsCheck) => void;
}) {
  const { api, t } = usePanel();
  const [busy, setBusy] = useState<'idle' | 'working' | 'slow'>('idle');
  const [error, setError] = useState<Error | null>(null);

  // Provisioning is a queued job: ask for it, then look at Kommo until every field is back.
  const reprovision = async () => {
    setBusy('working');
    setError(null);
    try {
      await api.provisionFields();
      for (let round = 0; round < POLL_ROUNDS; round += 1) {
        await sleep(POLL_MS);
        const next = await api.checkFields();
        replace(next);
        if (next.missing.length === 0) {
          setBusy('idle');
          return;
        }
      }
      setBusy('slow');
    } catch (caught) {
      setError(caught as Error);
      setBusy('idle');
    }
  };

  return (
    <section className="gptb-section" aria-labelledby="gptb-fields">
      <h3 id="gptb-fields">{t('fields')}</h3>
      <p className="gptb-intro">{t('fieldsIntro')}</p>
      {check.state === 'loading' && <p>{t('loading')}</p>}
      {check.state === 'failed' && <ErrorBox error={check.error} onRetry={reload} />}
      {check.state === 'ready' && (
        <>
          <table data-testid="gptb-fields">
            <thead>
              <tr>
                <th scope="col">{t('fieldKey')}</th>
                <th scope="col">{t('fieldName')}</th>
                <th scope="col">{t('fieldId')}</th>
                <th scope="col">{t('fieldState')}</th>
              </tr>
            </thead>
            <tbody>
              {check.value.fields.map((field) => (
                <tr key={field.key} data-testid={`gptb-field-${field.key}`}>
                  <td>{field.key}</td>
                  <td>{field.name}</td>
                  <td>{field.kommoFieldId}</td>
                  <td className={field.inKommo ? 'gptb-ok' : 'gptb-bad'}>
                    {field.inKommo ? t('fieldPresent') : t('fieldMissing')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p
            data-testid="gptb-fields-summary"
            className={check.value.missing.length ? 'gptb-bad' : 'gptb-ok'}
          >
            {check.value.missing.length === 0
              ? t('fieldsAllPresent')
              : t('fieldsSomeMissing', { count: check.value.missing.length })}
          </p>
        </>
      )}
      <div className="gptb-row">
        <button type="button" onClick={() => void reprovision()} disabled={busy === 'working'}>
          {t('reprovision')}
        </button>
        {busy === 'working' && <span role="status">{t('reprovisioning')}</span>}
        {busy === 'slow' && <span role="status">{t('reprovisionSlow')}</span>}
      </div>
      {error && <ErrorBox error={error} />}
    </section>
  );
}
