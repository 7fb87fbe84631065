import { type ReactNode } from 'react';
import { type Data } from '../lib/use-data';

export function ErrorLine({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}

/** Loading, the error, or the content. */
export function Loaded<T>({
  data,
  children,
}: {
  data: Data<T>;
  children: (value: T) => ReactNode;
}) {
  if (data.state === 'loading') return <p className="muted">Loading…</p>;
  if (data.state === 'failed') return <ErrorLine error={data.error} />;
  return <>{children(data.value)}</>;
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value}`}>{value}</span>;
}
