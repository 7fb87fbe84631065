import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { type AccountDetail, type Plan } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { ErrorLine, Loaded } from '../shared';

const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/** Plan, monthly override and per-lead daily cap (admins only; the API checks it too). */
export function PlanForm({ account, onSaved }: { account: AccountDetail; onSaved: () => void }) {
  const [plans] = useData(() => api<{ plans: Plan[] }>('GET', '/plans'), 'plans');
  const [planId, setPlanId] = useState(account.plan.id);
  const [override, setOverride] = useState(account.monthlyRequestsOverride?.toString() ?? '');
  const [cap, setCap] = useState(account.leadDailyCap?.toString() ?? '');
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api('PUT', `/accounts/${account.id}/plan`, {
        planId,
        monthlyRequestsOverride: numberOrNull(override),
        leadDailyCap: numberOrNull(cap),
      });
      setSaved(true);
      onSaved();
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} data-testid="plan-form" aria-label="Plan">
      <Loaded data={plans}>
        {({ plans: list }) => (
          <>
            <label htmlFor="plan">Plan</label>
            <select id="plan" value={planId} onChange={(e) => setPlanId(e.target.value)}>
              {list.map((plan) => (
                <option key={plan.id} value={plan.id}>
                  {plan.name} ({plan.monthlyRequests} requests a month)
                </option>
              ))}
            </select>
          </>
        )}
      </Loaded>
      <label htmlFor="override">Monthly requests override (empty: the plan's)</label>
      <input
        id="override"
        type="number"
        min={0}
        value={override}
        onChange={(e) => setOverride(e.target.value)}
      />
      <label htmlFor="cap">Daily cap per lead (empty: none)</label>
      <input id="cap" type="number" min={1} value={cap} onChange={(e) => setCap(e.target.value)} />
      <div className="row">
        <button type="submit" className="primary">
          Change plan
        </button>
        {saved && <span role="status">Saved.</span>}
      </div>
      <ErrorLine error={error} />
    </form>
  );
}
