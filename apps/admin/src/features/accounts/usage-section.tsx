import { useState } from 'react';
import { type UsageSummary } from '@gpt-bridge/shared';
import { api } from '../../lib/api';
import { type AccountDetail } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded } from '../shared';
import { UsageBars } from './usage-bars';
import { shiftMonth } from './usage-month';

/** Cents, and "< US$ 0.01" for a small non-zero estimate. */
function formatUsd(value: number): string {
  return value > 0 && value < 0.01 ? '< US$ 0.01' : `US$ ${value.toFixed(2)}`;
}

function Summary({ usage }: { usage: UsageSummary }) {
  return (
    <>
      <p data-testid="usage-figures">
        {usage.used} of {usage.allowance} requests ({usage.byKind.chatgpt} ChatGPT,{' '}
        {usage.byKind.assistant} Assistant), {usage.remaining} left; days in {usage.timezone}
      </p>
      <p data-testid="usage-cost">
        Estimated AI cost {formatUsd(usage.costUsd)} (OpenAI prices of {usage.pricesAsOf}
        ); cost cap {usage.costCapUsd === null ? 'none' : formatUsd(usage.costCapUsd)}
        {usage.costCapReached && ' (reached: requests are refused until the month ends)'}
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
