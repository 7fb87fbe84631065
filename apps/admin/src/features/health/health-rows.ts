import { type HealthResponse } from '@gpt-bridge/shared';

const LABELS: Record<string, string> = { postgres: 'PostgreSQL', redis: 'Redis' };

export type HealthRow = { key: string; label: string; status: 'up' | 'down'; message?: string };

/** One row per dependency, in a stable order, with a person's name for each. */
export function healthRows(health: HealthResponse): HealthRow[] {
  return Object.entries(health.details)
    .map(([key, check]) => ({
      key,
      label: LABELS[key] ?? key,
      status: check.status,
      message: check.message,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
