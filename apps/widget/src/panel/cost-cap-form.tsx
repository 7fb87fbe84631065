// Types only from the shared package: its values would pull Zod into a bundle that needs none.
import { type WidgetUsageResponse } from '@gpt-bridge/shared';
import { useState, type FormEvent } from 'react';
import { ErrorBox } from './error-box';
import { parseCap } from './money';
import { usePanel } from './panel-context';

/** The owner's monthly cost cap (administrators only); saving answers the month's usage. */
export function CostCapForm({
  capUsd,
  onSaved,
}: {
  capUsd: number | null;
  onSaved: (usage: WidgetUsageResponse) => void;
}) {
  const { api, t } = usePanel();
  const [text, setText] = useState(capUsd === null ? '' : capUsd.toFixed(2));
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'invalid'>('idle');
  const [error, setError] = useState<Error | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const cap = parseCap(text);
    if (cap !== null && Number.isNaN(cap)) {
      setState('invalid');
      return;
    }
    setState('saving');
    setError(null);
    api.setCostCap({ monthlyCostCapUsd: cap }).then(
      (usage) => {
        setState('saved');
        onSaved(usage);
      },
      (failure: unknown) => {
        setState('idle');
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      },
    );
  };

  return (
    <form onSubmit={submit} data-testid="gptb-cost-cap">
      <label htmlFor="gptb-cost-cap-input">{t('costCapLabel')}</label>
      <div className="gptb-row">
        <input
          id="gptb-cost-cap-input"
          inputMode="decimal"
          value={text}
          aria-describedby="gptb-cost-cap-help"
          aria-invalid={state === 'invalid'}
          onChange={(event) => {
            setText(event.target.value);
            setState('idle');
          }}
        />
        <button type="submit" disabled={state === 'saving'}>
          {state === 'saving' ? t('saving') : t('save')}
        </button>
      </div>
      <p id="gptb-cost-cap-help" className="gptb-muted">
        {t('costCapHelp')}
      </p>
      {state === 'invalid' && <p role="alert">{t('costCapInvalid')}</p>}
      {state === 'saved' && <p role="status">{t('saved')}</p>}
      {error && <ErrorBox error={error} />}
    </form>
  );
}
