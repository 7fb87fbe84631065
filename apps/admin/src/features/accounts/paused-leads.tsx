import { type AdminLeadPause } from '@gpt-bridge/shared';
import { api } from '../../lib/api';
import { type AccountDetail } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded } from '../shared';
import { pauseRows } from './pause-rows';

/** Leads of the account where the AI is paused now (issue 22): a person took over, or a button. */
export function PausedLeads({ account }: { account: AccountDetail }) {
  const [data, reload] = useData(
    () => api<AdminLeadPause[]>('GET', `/accounts/${account.id}/pauses`),
    account.id,
  );
  return (
    <div role="group" aria-labelledby="pauses-title">
      <h3 id="pauses-title">Paused leads</h3>
      <div className="row">
        <button type="button" onClick={reload}>
          Refresh paused leads
        </button>
      </div>
      <Loaded data={data}>
        {(pauses) =>
          pauses.length === 0 ? (
            <p className="muted" data-testid="pauses-none">
              The AI answers every lead of this account: none is paused.
            </p>
          ) : (
            <table data-testid="pauses">
              <thead>
                <tr>
                  <th scope="col">Lead id</th>
                  <th scope="col">Paused by</th>
                  <th scope="col">Since</th>
                  <th scope="col">Resumes</th>
                </tr>
              </thead>
              <tbody>
                {pauseRows(pauses).map((row) => (
                  <tr key={row.leadId} data-lead={row.leadId}>
                    <td>{row.leadId}</td>
                    <td>{row.by}</td>
                    <td>{row.since}</td>
                    <td>{row.resumes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </div>
  );
}
