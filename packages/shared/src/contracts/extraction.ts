// Extraction profiles (issue 23 points 1 and 2): what the ChatGPT webhook's `?extract=<profile>`
// asks the model for, which of the account's own lead fields each value goes to, and the rules
// that move the lead, tag it or create a task. Edited in the widget by account administrators
// (`/widget-api/extraction/...`); docs/kommo-contract.md §9 says how each part reaches Kommo.
import { z } from 'zod';

/** The Kommo field types a profile can fill (docs/kommo-contract.md §9.1). */
export const EXTRACTION_FIELD_TYPES = [
  'text',
  'textarea',
  'numeric',
  'select',
  'multiselect',
  'date',
  'checkbox',
  'url',
] as const;
export type ExtractionFieldType = (typeof EXTRACTION_FIELD_TYPES)[number];

export function isExtractionFieldType(type: string): type is ExtractionFieldType {
  return (EXTRACTION_FIELD_TYPES as readonly string[]).includes(type);
}

/** The profile's name is the URL's `?extract=` value, so it is a slug. */
export const ExtractionProfileNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use 1–40 lowercase letters, digits and dashes');

/** The property the answer for ANSWER comes back in; no item may take its name. */
export const EXTRACTION_ANSWER_KEY = 'answer';

const ItemNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'use 1–40 lowercase letters, digits and _, starting with a letter',
  )
  .refine((name) => name !== EXTRACTION_ANSWER_KEY, `"${EXTRACTION_ANSWER_KEY}" is reserved`);

export const ExtractionItemSchema = z.object({
  /** The account's lead field (Kommo id) the value is written to. */
  fieldId: z.number().int().positive(),
  /** The JSON property the model fills (and rules refer to). */
  name: ItemNameSchema,
  /** What to extract, in the owner's words; sent to the model as the property's description. */
  instruction: z.string().trim().min(1).max(500),
  /** Required: the model must give a value; a missing or invalid one is named in LOG. */
  required: z.boolean().default(false),
});
export type ExtractionItem = z.infer<typeof ExtractionItemSchema>;

export const EXTRACTION_CONDITION_OPS = ['equals', 'contains', 'is_set'] as const;

export const ExtractionConditionSchema = z.object({
  /** An item's name, or `answer` (the reply, e.g. an intent such as `#Meeting`). */
  item: z.string().min(1).max(40),
  op: z.enum(EXTRACTION_CONDITION_OPS),
  /** Compared case-insensitively; not used by `is_set`. */
  value: z.string().trim().max(200).optional(),
});
export type ExtractionCondition = z.infer<typeof ExtractionConditionSchema>;

const TagSchema = z.string().trim().min(1).max(50);

export const ExtractionActionSchema = z.discriminatedUnion('kind', [
  /** Move the lead to a stage; both ids are sent (docs/kommo-contract.md §9.2). */
  z.object({
    kind: z.literal('move'),
    pipelineId: z.number().int().positive(),
    statusId: z.number().int().positive(),
  }),
  z.object({ kind: z.literal('tag_add'), tag: TagSchema }),
  z.object({ kind: z.literal('tag_remove'), tag: TagSchema }),
  /** A task on the lead for its responsible user, or for `responsibleUserId` (§9.4). */
  z.object({
    kind: z.literal('task'),
    text: z.string().trim().min(1).max(255),
    dueHours: z.number().int().min(1).max(720).default(24),
    /** 1 = follow-up/call, 2 = meeting: the types every account has. */
    taskTypeId: z.union([z.literal(1), z.literal(2)]).default(1),
    responsibleUserId: z.number().int().positive().optional(),
  }),
]);
export type ExtractionAction = z.infer<typeof ExtractionActionSchema>;
export type ExtractionActionKind = ExtractionAction['kind'];

export const ExtractionRuleSchema = z.object({
  when: ExtractionConditionSchema,
  then: z.array(ExtractionActionSchema).min(1).max(10),
});
export type ExtractionRule = z.infer<typeof ExtractionRuleSchema>;

/** `PUT /widget-api/extraction/profiles/:name` (the name comes from the path). */
export const ExtractionProfileInputSchema = z
  .object({
    items: z.array(ExtractionItemSchema).min(1).max(40),
    rules: z.array(ExtractionRuleSchema).max(20).default([]),
  })
  .superRefine((profile, ctx) => {
    const names = new Set<string>();
    const fields = new Set<number>();
    profile.items.forEach((item, index) => {
      if (names.has(item.name)) {
        ctx.addIssue({ code: 'custom', path: ['items', index, 'name'], message: 'used twice' });
      }
      if (fields.has(item.fieldId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'fieldId'],
          message: 'this field is filled by another item',
        });
      }
      names.add(item.name);
      fields.add(item.fieldId);
    });
    profile.rules.forEach((rule, index) => {
      if (rule.when.item !== EXTRACTION_ANSWER_KEY && !names.has(rule.when.item)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'when', 'item'],
          message: `no item is named "${rule.when.item}" (or use "${EXTRACTION_ANSWER_KEY}")`,
        });
      }
      if (rule.when.op !== 'is_set' && !rule.when.value) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'when', 'value'],
          message: `"${rule.when.op}" needs a value`,
        });
      }
    });
  });
export type ExtractionProfileInput = z.infer<typeof ExtractionProfileInputSchema>;

export type ExtractionProfileView = ExtractionProfileInput & {
  name: string;
  updatedAt: string;
};

/** `GET /widget-api/extraction/profiles`. */
export type ExtractionProfilesResponse = { profiles: ExtractionProfileView[] };

/** `GET /widget-api/extraction/catalog`: what the editor offers, read from the account's Kommo. */
export type ExtractionCatalogResponse = {
  fields: {
    id: number;
    name: string;
    type: string;
    /** A type the extraction can fill, and not one of GPT Bridge's own six fields. */
    usable: boolean;
    enums: { id: number; value: string }[] | null;
  }[];
  pipelines: { id: number; name: string; statuses: { id: number; name: string }[] }[];
  /** Null when Kommo would not list the users to our token (the list is admin-only). */
  users: { id: number; name: string }[] | null;
};
