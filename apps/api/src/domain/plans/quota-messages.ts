import { type Allowance } from './usage.service';

/** The note added to the lead that crossed 80 % or 95 % of the month's allowance. */
export function quotaNote(threshold: number, used: number, allowance: Allowance): string {
  return (
    `GPT Bridge: ${threshold}% of this month's AI requests are used ` +
    `(${used} of ${allowance.monthlyRequests}, plan ${allowance.planName}). ` +
    `The allowance starts again on ${allowance.nextMonthStart}. ` +
    `When it runs out the salesbot stops answering until then; a larger plan avoids that.`
  );
}
