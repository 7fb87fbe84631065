import { useEffect, useState } from 'react';

/** The current time, moved on every `everyMs`, so "resumes in 25 min" counts down by itself. */
export function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
