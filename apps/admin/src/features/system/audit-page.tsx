import { api } from '../../lib/api';
import { type AuditEntry } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded } from '../shared';
import { AuditTable } from './audit-table';

export function AuditPage() {
  const [data, reload] = useData(
    () => api<{ entries: AuditEntry[] }>('GET', '/audit?limit=100'),
    'audit',
  );
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <Loaded data={data}>{({ entries }) => <AuditTable entries={entries} />}</Loaded>
    </section>
  );
}
