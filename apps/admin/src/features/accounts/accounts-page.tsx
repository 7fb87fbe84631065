import { useState, type FormEvent } from 'react';
import { api, query } from '../../lib/api';
import { percent, when } from '../../lib/format';
import { href } from '../../lib/router';
import { type Account } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded, Status } from '../shared';

/** Search by subdomain or Kommo account id; status, plan, usage, last request, error rate. */
export function AccountsPage({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [q, setQ] = useState(initial);
  const [data] = useData(() => api<{ accounts: Account[] }>('GET', `/accounts${query({ q })}`), q);
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQ(text.trim());
    window.location.hash = `#/accounts${query({ q: text.trim() })}`;
  };
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts</h2>
      <form className="row" role="search" onSubmit={search}>
        <label htmlFor="account-search" className="inline">
          Subdomain or account id
        </label>
        <input
          id="account-search"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <Loaded data={data}>
        {({ accounts }) =>
          accounts.length === 0 ? (
            <p className="muted">No account matches.</p>
          ) : (
            <table data-testid="accounts">
              <thead>
                <tr>
                  <th scope="col">Subdomain</th>
                  <th scope="col">Account id</th>
                  <th scope="col">Status</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Usage this month</th>
                  <th scope="col">Last request</th>
                  <th scope="col">Error rate (7 days)</th>
                  <th
                    scope="col"
                    title="Provider calls repeated because a worker stopped before storing the answer; recovered: answers read back from the provider's conversation instead"
                  >
                    Re-asks (7 days)
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((account) => (
                  <tr key={account.id}>
                    <td>
                      <a href={href('accounts', account.id)}>{account.subdomain}</a>
                    </td>
                    <td>{account.kommoAccountId}</td>
                    <td>
                      <Status value={account.status} />
                    </td>
                    <td>{account.plan.name}</td>
                    <td>
                      {account.usage.used} / {account.usage.allowance}
                    </td>
                    <td>{when(account.lastRequestAt)}</td>
                    <td>
                      {percent(account.errorRate)} ({account.failed7d} of {account.finished7d})
                    </td>
                    <td>
                      {account.reAsks7d}
                      {account.recovered7d > 0 ? ` (${account.recovered7d} recovered)` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
