import { HealthResponseSchema } from '@gpt-bridge/shared';
import { useEffect, useState } from 'react';
import { healthRows, type HealthRow } from './health-rows';

type State =
  { kind: 'loading' } | { kind: 'ready'; rows: HealthRow[] } | { kind: 'failed'; message: string };

/** The API's view of its dependencies (GET /health), refreshed every 5 seconds. */
export function SystemStatus() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    let active = true;
    const load = async () => {
      try {
        // /health answers 503 with the same body when something is down.
        const response = await fetch('/health');
        const parsed = HealthResponseSchema.parse(await response.json());
        if (active) setState({ kind: 'ready', rows: healthRows(parsed) });
      } catch (error) {
        if (active) {
          setState({
            kind: 'failed',
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
    };
    void load();
    const timer = setInterval(() => void load(), 5_000);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="system-status">
      <h2 id="system-status">System status</h2>
      {state.kind === 'loading' && <p>Checking…</p>}
      {state.kind === 'failed' && <p role="alert">Could not reach the API: {state.message}</p>}
      {state.kind === 'ready' && (
        <ul>
          {state.rows.map((row) => (
            <li key={row.key} data-testid={`health-${row.key}`}>
              {row.label}: <strong>{row.status}</strong>
              {row.message ? ` (${row.message})` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
