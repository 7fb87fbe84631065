import { useCallback, useEffect, useState } from 'react';

export type Data<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: Error };

/** Loads on mount and whenever `key` changes; `reload()` loads again. */
export function useData<T>(load: () => Promise<T>, key: string): [Data<T>, () => void] {
  const [data, setData] = useState<Data<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setData({ state: 'ready', value }),
      (error: unknown) =>
        current &&
        setData({
          state: 'failed',
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render; `key` says when the data to load changed.
  }, [key, round]);
  return [data, useCallback(() => setRound((n) => n + 1), [])];
}
