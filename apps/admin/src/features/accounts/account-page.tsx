import { useState } from 'react';
import { api } from '../../lib/api';
import { when } from '../../lib/format';
import { href } from '../../lib/router';
import { type AccountDetail, type AdminUser, type AuditEntry } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { AuditTable } from '../system/audit-table';
import { RequestsTable } from '../requests/requests-table';
import { ErrorLine, Loaded, Status } from '../shared';
import { LeadEraseForm } from './lead-erase-form';
import { PausedLeads } from './paused-leads';
import { PlanForm } from './plan-form';
import { UsageSection } from './usage-section';

type Action = { path: string; label: string; adminOnly: boolean };

const ACTIONS: Action[] = [
  { path: 'reprovision', label: 'Re-provision fields', adminOnly: false },
  { path: 'refresh-token', label: 'Force token refresh', adminOnly: true },
  { path: 'disable', label: 'Disable account', adminOnly: true },
  { path: 'enable', label: 'Enable account', adminOnly: true },
];

function Actions({
  account,
  user,
  onDone,
}: {
  account: AccountDetail;
  user: AdminUser;
  onDone: () => void;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const run = async (action: Action) => {
    setMessage(null);
    setError(null);
    try {
      await api('POST', `/accounts/${account.id}/${action.path}`);
      setMessage(`${action.label}: done.`);
      onDone();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const visible = ACTIONS.filter((a) => user.role === 'admin' || !a.adminOnly).filter(
    (a) =>
      !(a.path === 'disable' && account.status === 'disabled') &&
      !(a.path === 'enable' && account.status !== 'disabled'),
  );
  return (
    <div>
      <div className="row">
        {visible.map((action) => (
          <button key={action.path} type="button" onClick={() => void run(action)}>
            {action.label}
          </button>
        ))}
      </div>
      {message && <p role="status">{message}</p>}
      <ErrorLine error={error} />
    </div>
  );
}

function Details({
  account,
  user,
  reload,
}: {
  account: AccountDetail;
  user: AdminUser;
  reload: () => void;
}) {
  const [audit, reloadAudit] = useData(
    () => api<{ entries: AuditEntry[] }>('GET', `/audit?target=${account.id}&limit=20`),
    account.id,
  );
  const refresh = () => {
    reload();
    reloadAudit();
  };
  const t = account.tokenHealth;
  const p = account.provider;
  return (
    <>
      <h2>
        {account.subdomain} <Status value={account.status} />
      </h2>
      <dl className="facts">
        <dt>Kommo account</dt>
        <dd>
          {account.kommoAccountId} ({account.host}, {account.language}, {account.timezone})
        </dd>
        <dt>Installed</dt>
        <dd>{when(account.installedAt)}</dd>
        {account.uninstalledAt && (
          <>
            <dt>Uninstalled</dt>
            <dd data-testid="uninstalled">
              {when(account.uninstalledAt)}
              {account.purgedAt
                ? ` · personal data purged ${when(account.purgedAt)}`
                : ' · personal data is purged after the grace period unless it installs again'}
            </dd>
          </>
        )}
        <dt>Token</dt>
        <dd data-testid="token-health">
          {t.hasTokens
            ? `expires ${when(t.expiresAt)}, last refresh ${when(t.lastRefreshAt)}`
            : 'no tokens'}
          {t.authError && <span className="error"> · failure: {t.authError}</span>}
          {t.userIsAdmin !== null &&
            ` · authorized by ${t.userIsAdmin ? 'an admin' : 'a non-admin'}`}
        </dd>
        {t.notice && (
          <>
            <dt>Action needed</dt>
            <dd className="error" data-testid="token-notice">
              {t.notice}
            </dd>
          </>
        )}
        <dt>Plan</dt>
        <dd data-testid="facts-plan">
          {account.plan.name}
          {account.monthlyRequestsOverride !== null &&
            ` (override ${account.monthlyRequestsOverride})`}
          {account.leadDailyCap !== null && `, ${account.leadDailyCap} per lead a day`}
        </dd>
        <dt>Webhooks in use</dt>
        <dd>{account.webhookKinds.length ? account.webhookKinds.join(', ') : 'none yet'}</dd>
        <dt>Provider</dt>
        <dd>
          assistant: {p.assistant.provider}
          {p.assistant.model && ` (${p.assistant.model})`}; OpenAI key{' '}
          {p.openaiApiKey.set ? p.openaiApiKey.hint : 'not set'}; assistant key{' '}
          {p.assistant.apiKey.set ? p.assistant.apiKey.hint : 'not set'}
        </dd>
      </dl>

      <h3>Actions</h3>
      <Actions account={account} user={user} onDone={refresh} />
      {user.role === 'admin' && <PlanForm account={account} onSaved={refresh} />}

      <h3>Erase a lead's data</h3>
      <LeadEraseForm account={account} onErased={refresh} />

      <UsageSection account={account} />

      <PausedLeads account={account} />

      <h3>Fields</h3>
      <table data-testid="fields">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Kommo id</th>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {account.fields.map((f) => (
            <tr key={f.key}>
              <td>{f.key}</td>
              <td>{f.kommoFieldId}</td>
              <td>{f.name}</td>
              <td>{f.type}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>
        Recent requests <a href={`${href('requests')}?account=${account.id}`}>(all)</a>
      </h3>
      <RequestsTable requests={account.recentRequests} showAccount={false} />

      <h3>Audit log</h3>
      <Loaded data={audit}>{({ entries }) => <AuditTable entries={entries} />}</Loaded>
    </>
  );
}

export function AccountPage({ id, user }: { id: string; user: AdminUser }) {
  const [data, reload] = useData(() => api<AccountDetail>('GET', `/accounts/${id}`), id);
  return (
    <section>
      <Loaded data={data}>
        {(account) => <Details account={account} user={user} reload={reload} />}
      </Loaded>
    </section>
  );
}
