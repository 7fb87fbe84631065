import { when } from '../../lib/format';
import { type AuditEntry } from '../../lib/types';

const show = (value: unknown) =>
  value === null || value === undefined ? '—' : JSON.stringify(value);

/** Who did what to which target, when, and the state before and after. */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing recorded.</p>;
  return (
    <table data-testid="audit">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>{when(e.at)}</td>
            <td>{e.actorEmail}</td>
            <td>{e.action}</td>
            <td>
              {e.targetType} {e.targetId}
            </td>
            <td>
              <code>{show(e.before)}</code>
            </td>
            <td>
              <code>{show(e.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
