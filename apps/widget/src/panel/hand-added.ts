import { type HandAddedStep } from '@gpt-bridge/shared';
import { type Translate } from '../i18n/translate';

/** `[3, 4, 5, 9]` → `3-5, 9`: the classic template's wait loops are long runs of steps. */
export function stepRanges(steps: number[]): string {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * What the user adds by hand in the designer (docs/kommo-contract.md §5.4), one line per kind of
 * step: webhooks by URL, pauses by length, each timed wait on its own (its targets differ).
 */
export function handAddedLines(list: HandAddedStep[], t: Translate): string[] {
  const lines: string[] = [];
  const grouped = new Map<string, { steps: number[]; line: (steps: string) => string }>();
  const group = (key: string, step: number, line: (steps: string) => string) => {
    const entry = grouped.get(key) ?? { steps: [], line };
    entry.steps.push(step);
    grouped.set(key, entry);
  };
  for (const entry of list) {
    if (entry.kind === 'webhook') {
      group(`webhook ${entry.url}`, entry.step, (steps) =>
        t('handAddedWebhook', { steps, url: entry.url }),
      );
    } else if (entry.kind === 'pause') {
      group(`pause ${entry.seconds}`, entry.step, (steps) =>
        t('handAddedPause', { steps, seconds: entry.seconds }),
      );
    } else {
      lines.push(
        t('handAddedTimedWait', {
          step: entry.step,
          seconds: entry.seconds,
          answer: entry.onMessageStep,
          timeout: entry.onTimeoutStep,
        }),
      );
    }
  }
  const grouped_ = [...grouped.values()].map((entry) => entry.line(stepRanges(entry.steps)));
  return [...grouped_, ...lines];
}
