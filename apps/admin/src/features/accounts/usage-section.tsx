import { useState } from 'react';
import { type UsageSummary } from '@gpt-bridge/shared';
import { api } from '../../lib/api';
import { type AccountDetail } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded } from '../shared';
import { UsageBars } from './usage-bars';
import { shiftMonth } from './usage-month';

function Summary({ usage }: { usage: UsageSummary }) {
  return (
    <>
      <p data-testid="usage-figures">
        {usage.used} of {usage.allowance} requests ({usage.byKind.chatgpt} ChatGPT,{' '}
        {usage.byKind.assistant} Assistant), {usage.remaining} left; days in {usage.timezone}
      </p>
      <UsageBars month={usage.month} days={usage.byDay} />
    </>
  );
}

/** An earlier month, from `GET /accounts/:id/usage?month=`. */
function PastMonth({ id, month }: { id: string; month: string }) {
  const [data] = useData(
    () => api<UsageSummary>('GET', `/accounts/${id}/usage?month=${month}`),
    `${id}:${month}`,
  );
  return <Loaded data={data}>{(usage) => <Summary usage={usage} />}</Loaded>;
}

/** This month's usage (it comes with the account), and earlier months on request. */
export function UsageSection({ account }: { account: AccountDetail }) {
  const current = account.usageSummary.month;
  const [month, setMonth] = useState(current);
  return (
    <div role="group" aria-labelledby="usage-title">
      <h3 id="usage-title">Usage {month}</h3>
      <div className="row">
        <button type="button" onClick={() => setMonth(shiftMonth(month, -1))}>
          Previous month
        </button>
        <button
          type="button"
          disabled={month >= current}
          onClick={() => setMonth(shiftMonth(month, 1))}
        >
          Next month
        </button>
      </div>
      {month === current ? (
        <Summary usage={account.usageSummary} />
      ) : (
        <PastMonth id={account.id} month={month} />
      )}
    </div>
  );
}
