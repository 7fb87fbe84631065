// The account's side of "never talk over a person" (issue 22): how long the AI stays silent after a
// team member's last message, and whether Kommo tells us when one writes (the account webhook
// subscription, docs/kommo-contract.md §8.4). Read by every widget user, changed by administrators.
import { z } from 'zod';

/** Minutes of a person's silence after which the AI answers the lead again (1 min to 7 days). */
export const SilenceMinutesSchema = z.number().int().min(1).max(10080);

/** `PUT /widget-api/handoff`. */
export const HandoffSettingsInputSchema = z
  .object({ silenceMinutes: SilenceMinutesSchema })
  .strict();
export type HandoffSettingsInput = z.infer<typeof HandoffSettingsInputSchema>;

/**
 * Whether Kommo sends us the chat's messages: `subscribed`, `failed` (variant D: the account's plan
 * or the installing user's rights; `error` says which, in Kommo's words), `pending` (not tried yet,
 * e.g. before the first token), `off` (unsubscribed at uninstall).
 */
export const HANDOFF_SUBSCRIPTION_STATES = ['pending', 'subscribed', 'failed', 'off'] as const;
export type HandoffSubscriptionState = (typeof HANDOFF_SUBSCRIPTION_STATES)[number];

/** `GET /widget-api/handoff` and the answer of its `PUT`. */
export type HandoffSettingsView = {
  silenceMinutes: number;
  subscription: {
    state: HandoffSubscriptionState;
    error: string | null;
    /** When the state was last set (ISO), null while pending. */
    checkedAt: string | null;
  };
};
