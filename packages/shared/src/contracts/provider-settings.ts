import { z } from 'zod';

/** What an account can choose for its Assistant webhook (replies to customers). */
export const ASSISTANT_PROVIDER_NAMES = [
  'openai',
  'dify',
  'chatbase',
  'openai_compatible',
] as const;
export type AssistantProviderName = (typeof ASSISTANT_PROVIDER_NAMES)[number];

// `undefined` keeps the stored key, `null` removes it, a string replaces it.
const keyInput = z.string().trim().min(8, 'the key looks too short').max(500).nullable().optional();
const modelName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:/@-]{1,120}$/, 'a model name has letters, digits and . _ : / @ - only');

/** `PUT /widget-api/providers`. */
export const ProviderSettingsInputSchema = z.object({
  /** The account's OpenAI key: the ChatGPT webhook, voice notes, and the OpenAI assistant. */
  openaiApiKey: keyInput,
  assistant: z
    .object({
      provider: z.enum(ASSISTANT_PROVIDER_NAMES),
      apiKey: keyInput,
      model: modelName.nullable().optional(),
      instructions: z
        .string()
        .max(20_000, 'instructions are limited to 20,000 characters')
        .nullable()
        .optional(),
      baseUrl: z
        .string()
        .trim()
        .url('the base URL must be a full URL such as https://openrouter.ai/api/v1')
        .nullable()
        .optional(),
      agentId: z.string().trim().min(1).max(200).nullable().optional(),
      apiVersion: z.enum(['v1', 'v2']).nullable().optional(),
    })
    .optional(),
});
export type ProviderSettingsInput = z.infer<typeof ProviderSettingsInputSchema>;

/** A stored key as the widget sees it: never whole. */
export const MaskedKeySchema = z.object({ set: z.boolean(), hint: z.string().nullable() });

/** `GET /widget-api/providers`. */
export const ProviderSettingsViewSchema = z.object({
  openaiApiKey: MaskedKeySchema,
  assistant: z.object({
    provider: z.enum(ASSISTANT_PROVIDER_NAMES),
    apiKey: MaskedKeySchema,
    model: z.string().nullable(),
    instructions: z.string().nullable(),
    baseUrl: z.string().nullable(),
    agentId: z.string().nullable(),
    apiVersion: z.enum(['v1', 'v2']).nullable(),
  }),
});
export type ProviderSettingsView = z.infer<typeof ProviderSettingsViewSchema>;

export const WEBHOOK_KINDS_CONTRACT = ['chatgpt', 'assistant'] as const;

/** A webhook kind given by a caller: `POST /widget-api/webhooks/:kind/rotate`, `?kind=` filters. */
export const WebhookKindSchema = z.enum(WEBHOOK_KINDS_CONTRACT, {
  error: 'must be chatgpt or assistant',
});

/** `GET /widget-api/webhooks`: the two webhook URLs of the account. */
export const WebhookUrlsResponseSchema = z.object({
  webhooks: z.array(
    z.object({
      kind: z.enum(WEBHOOK_KINDS_CONTRACT),
      handlerUrl: z.string(),
      widgetRequestUrl: z.string(),
      rotatedAt: z.string().nullable(),
    }),
  ),
});
export type WebhookUrlsResponse = z.infer<typeof WebhookUrlsResponseSchema>;
