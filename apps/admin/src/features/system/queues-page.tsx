import { api } from '../../lib/api';
import { age } from '../../lib/format';
import { type QueueHealth } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { SystemStatus } from '../health/system-status';
import { Loaded } from '../shared';

/** Waiting, active, delayed and failed jobs per queue, with the oldest waiting job's age. */
export function QueuesPage() {
  const [data, reload] = useData(() => api<{ queues: QueueHealth[] }>('GET', '/queues'), 'queues');
  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">Queues</h2>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <Loaded data={data}>
        {({ queues }) => (
          <table data-testid="queues">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Waiting</th>
                <th scope="col">Active</th>
                <th scope="col">Delayed</th>
                <th scope="col">Failed</th>
                <th scope="col">Oldest waiting</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.name}>
                  <td>{q.name}</td>
                  <td>{q.waiting}</td>
                  <td>{q.active}</td>
                  <td>{q.delayed}</td>
                  <td>{q.failed}</td>
                  <td>{age(q.oldestWaitingSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <SystemStatus />
    </section>
  );
}
