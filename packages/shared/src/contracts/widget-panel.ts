import { z } from 'zod';
import { LEAD_FIELD_KEYS } from '../constants/lead-fields.js';
import { WEBHOOK_KINDS_CONTRACT } from './provider-settings.js';
import { type StoredErrorClass } from './error-classes.js';
import { WidgetFieldSchema } from './widget-api.js';

/** `GET /widget-api/session`: who is looking, and whether the installation works. */
export const WidgetSessionResponseSchema = z.object({
  accountId: z.number(),
  subdomain: z.string(),
  host: z.string(),
  userId: z.number(),
  isAdmin: z.boolean(),
  installationStatus: z.enum(['pending', 'active', 'auth_failed', 'disabled']),
  /** Whether the user who authorized our Kommo token is an admin; null = not known. */
  tokenUserIsAdmin: z.boolean().nullable(),
  /** What to do about the connection, in English (the widget shows its own translation). */
  connectionNotice: z.string().nullable(),
});
export type WidgetSessionResponse = z.infer<typeof WidgetSessionResponseSchema>;

/** Why a non-admin's token limits us and what fixes it (widget session, admin panel). */
export const NON_ADMIN_TOKEN_NOTICE =
  'GPT Bridge was authorized by a user who is not an account administrator, so it cannot create its lead fields or continue salesbots. Ask an administrator of the Kommo account to install GPT Bridge again.';

/** The notice for an installation whose token's user is known not to be an admin, else null. */
export function connectionNotice(tokenUserIsAdmin: boolean | null): string | null {
  return tokenUserIsAdmin === false ? NON_ADMIN_TOKEN_NOTICE : null;
}

/** `GET /widget-api/fields/check`: our fields as Kommo has them now. */
export const WidgetFieldsCheckSchema = z.object({
  fields: z.array(WidgetFieldSchema.extend({ inKommo: z.boolean() })),
  /** Fields never provisioned, or deleted in Kommo since: "re-provision" brings them back. */
  missing: z.array(z.enum(LEAD_FIELD_KEYS)),
});
export type WidgetFieldsCheck = z.infer<typeof WidgetFieldsCheckSchema>;

/** A month of usage against the plan, in the account's time zone (widget and admin panel). */
export type UsageSummary = {
  month: string;
  timezone: string;
  plan: { id: string; name: string };
  allowance: number;
  used: number;
  remaining: number;
  byKind: { chatgpt: number; assistant: number };
  byDay: { day: string; chatgpt: number; assistant: number; total: number }[];
  /** When the allowance starts again (the account's midnight). */
  resetsOn: string;
  /** At the month's pace so far, the day the allowance runs out; null when it will not. */
  exhaustedOn: string | null;
  /**
   * The month's estimated AI cost in USD: the counted requests' tokens at the price table's
   * prices (OpenAI models only; other providers and unknown models add nothing).
   */
  costUsd: number;
  /** The owner's monthly cost cap in USD; null = none. */
  costCapUsd: number | null;
  /** The cap is reached: requests are refused like over quota until the month ends. */
  costCapReached: boolean;
  /** The date of the price table the estimate uses (YYYY-MM-DD). */
  pricesAsOf: string;
};

/**
 * `PUT /widget-api/cost-cap` (account administrators): the monthly cap on the estimated AI cost,
 * in USD with cents; null removes it. Answers the month's UsageSummary.
 */
export const CostCapInputSchema = z.object({
  monthlyCostCapUsd: z
    .number()
    .min(0.01, 'must be at least 0.01 USD')
    .max(1_000_000, 'must be at most 1,000,000 USD')
    .multipleOf(0.01, 'must be in whole cents')
    .nullable(),
});
export type CostCapInput = z.infer<typeof CostCapInputSchema>;

/** `?month=YYYY-MM` of the usage routes (widget and admin panel); absent means this month. */
export const UsageQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must look like 2026-11')
    .optional(),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

/** `GET /widget-api/usage?month=`: the month, and the 80 / 95 % thresholds crossed in it. */
export type WidgetUsageResponse = UsageSummary & {
  warnings: { threshold: number; leadId: number }[];
};

/** `POST /widget-api/test-console`: one prompt through the account's provider settings. */
export const TestConsoleInputSchema = z.object({
  kind: z.enum(WEBHOOK_KINDS_CONTRACT),
  prompt: z
    .string()
    .trim()
    .min(1, 'write a prompt to send')
    .max(4000, 'the test prompt is limited to 4,000 characters'),
});
export type TestConsoleInput = z.infer<typeof TestConsoleInputSchema>;

export type TestConsoleResult =
  | {
      ok: true;
      answer: string;
      provider: string;
      model: string;
      latencyMs: number;
      totalTokens: number | null;
    }
  | {
      ok: false;
      /** The line the LOG field would get, e.g. `ERROR OpenAI: invalid API key`. */
      error: string;
      errorClass: StoredErrorClass;
      provider: string | null;
      model: string | null;
      latencyMs: number | null;
    };

/**
 * A step of the classic template the user completes by hand in the salesbot designer: its UI-only
 * part ("Send webhook", "Pause", a wait with a time limit) has no documented JSON
 * (docs/kommo-contract.md §5.4). Part of `GET /widget-api/templates/:kind`.
 */
export type HandAddedStep =
  | { step: number; kind: 'webhook'; url: string }
  | { step: number; kind: 'pause'; seconds: number }
  | {
      step: number;
      kind: 'timed_wait';
      seconds: number;
      /** Where the customer's message goes. */
      onMessageStep: number;
      /** Where the bot goes when no message came in time. */
      onTimeoutStep: number;
    };
