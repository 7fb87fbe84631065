import { errorClassHint } from '../../lib/error-classes';
import { when } from '../../lib/format';
import { href } from '../../lib/router';
import { type RequestView } from '../../lib/types';
import { Status } from '../shared';

export function RequestsTable({
  requests,
  showAccount,
}: {
  requests: RequestView[];
  showAccount: boolean;
}) {
  if (requests.length === 0) return <p className="muted">No requests.</p>;
  return (
    <table data-testid="requests">
      <thead>
        <tr>
          <th scope="col">Received</th>
          {showAccount && <th scope="col">Account</th>}
          <th scope="col">Kind</th>
          <th scope="col">Lead</th>
          <th scope="col">Status</th>
          <th scope="col">Error class</th>
          <th scope="col">Latency</th>
          <th scope="col">Request</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => (
          <tr key={r.id} data-status={r.status}>
            <td>{when(r.receivedAt)}</td>
            {showAccount && <td>{r.subdomain}</td>}
            <td>{r.kind}</td>
            <td>{r.leadId ?? '—'}</td>
            <td>
              <Status value={r.status} />
            </td>
            <td title={errorClassHint(r.errorClass)}>{r.errorClass ?? '—'}</td>
            <td>{r.latencyMs === null ? '—' : `${r.latencyMs} ms`}</td>
            <td>
              <a href={href('requests', r.id)}>open</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
