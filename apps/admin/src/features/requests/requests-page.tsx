import { AI_REQUEST_STATUSES } from '@gpt-bridge/shared';
import { useState, type FormEvent } from 'react';
import { api, query } from '../../lib/api';
import { type RequestView } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { Loaded } from '../shared';
import { RequestsTable } from './requests-table';

const FILTERS = ['account', 'kind', 'status', 'from', 'to'] as const;
type Filter = Record<(typeof FILTERS)[number], string>;

/** `datetime-local` values are local times; the API wants instants. */
const instant = (local: string) => (local ? new Date(local).toISOString() : '');

/** The request log across accounts, filtered by account, kind, status and time. */
export function RequestsPage({ params }: { params: URLSearchParams }) {
  const initial = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filter;
  const [form, setForm] = useState<Filter>(initial);
  const [applied, setApplied] = useState<Filter>(initial);
  const [data] = useData(
    () =>
      api<{ requests: RequestView[] }>(
        'GET',
        `/requests${query({ ...applied, from: instant(applied.from), to: instant(applied.to), limit: '100' })}`,
      ),
    JSON.stringify(applied),
  );
  const set = (key: keyof Filter) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(form);
  };
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Requests</h2>
      <form className="filters" onSubmit={submit}>
        <label>
          Account (subdomain, account id)
          <input
            type="text"
            value={form.account}
            onChange={(e) => set('account')(e.target.value)}
          />
        </label>
        <label>
          Kind
          <select value={form.kind} onChange={(e) => set('kind')(e.target.value)}>
            <option value="">any</option>
            <option value="chatgpt">chatgpt</option>
            <option value="assistant">assistant</option>
          </select>
        </label>
        <label>
          Status
          <select value={form.status} onChange={(e) => set('status')(e.target.value)}>
            <option value="">any</option>
            {AI_REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={form.from}
            onChange={(e) => set('from')(e.target.value)}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            value={form.to}
            onChange={(e) => set('to')(e.target.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Loaded data={data}>
        {({ requests }) => <RequestsTable requests={requests} showAccount />}
      </Loaded>
    </section>
  );
}
