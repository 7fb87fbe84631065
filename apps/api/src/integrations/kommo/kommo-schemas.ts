import { z } from 'zod';

// What we read from Kommo API v4 (docs/kommo-contract.md §4). Loose objects: Kommo adds fields
// without notice, and a new field must not break us; only what we use is checked.

const link = z.looseObject({ href: z.string() });
const links = z.looseObject({ next: link.optional() });

export const tagSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  color: z.string().nullish(),
});
export type KommoTag = z.infer<typeof tagSchema>;

export const accountSchema = z
  .looseObject({
    id: z.number(),
    name: z.string(),
    subdomain: z.string(),
    current_user_id: z.number().optional(),
    // Not in Kommo's documented shape; the sandbox sends it at the top level.
    language: z.string().optional(),
    _embedded: z
      .looseObject({
        datetime_settings: z
          .looseObject({ language: z.string().optional(), timezone: z.string().optional() })
          .optional(),
      })
      .optional(),
  })
  .transform((a) => {
    const settings = a._embedded?.datetime_settings;
    const language = settings?.language ?? a.language;
    return {
      id: a.id,
      name: a.name,
      subdomain: a.subdomain,
      ...(a.current_user_id !== undefined ? { current_user_id: a.current_user_id } : {}),
      ...(language !== undefined ? { language } : {}),
      ...(settings?.timezone !== undefined ? { timezone: settings.timezone } : {}),
    };
  });
export type KommoAccount = z.infer<typeof accountSchema>;

/** One value of a custom field: text/number/bool for most types, an object for some (address, file). */
export const fieldValueSchema = z.looseObject({
  value: z.unknown().optional(),
  enum_id: z.number().nullish(),
  enum_code: z.string().nullish(),
});

export const leadFieldValuesSchema = z.looseObject({
  field_id: z.number(),
  field_name: z.string().nullish(),
  field_code: z.string().nullish(),
  field_type: z.string().nullish(),
  values: z.array(fieldValueSchema),
});
export type KommoLeadFieldValues = z.infer<typeof leadFieldValuesSchema>;

export const leadSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  price: z.number().nullish(),
  status_id: z.number().nullish(),
  pipeline_id: z.number().nullish(),
  responsible_user_id: z.number().nullish(),
  updated_at: z.number().nullish(),
  // Kommo sends null, not [], for a lead without values.
  custom_fields_values: z.array(leadFieldValuesSchema).nullable().default(null),
  _embedded: z.looseObject({ tags: z.array(tagSchema).default([]) }).default({ tags: [] }),
});
export type KommoLead = z.infer<typeof leadSchema>;

/** What PATCH answers per lead: the id and the new `updated_at`, not the whole lead. */
export const leadUpdateSchema = z.looseObject({ id: z.number(), updated_at: z.number().nullish() });
export type KommoLeadUpdate = z.infer<typeof leadUpdateSchema>;

export const customFieldSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  type: z.string(),
  code: z.string().nullable().default(null),
  sort: z.number(),
  is_api_only: z.boolean().optional(),
  enums: z
    .array(z.looseObject({ id: z.number(), value: z.string(), sort: z.number().optional() }))
    .nullish(),
});
export type KommoCustomField = z.infer<typeof customFieldSchema>;

/**
 * `GET /api/v4/users/{id}` (admin-only in Kommo): we read `rights.is_admin` (documented as bool;
 * read loosely, like the widget token's claim) and `lang`.
 */
export const userSchema = z.looseObject({
  id: z.number(),
  name: z.string().optional(),
  lang: z.string().nullish(),
  rights: z.looseObject({ is_admin: z.unknown().optional() }).optional(),
});
export type KommoUser = z.infer<typeof userSchema>;

/** A created note answers with its id and lead only; a listed note has type and params too. */
export const noteSchema = z.looseObject({
  id: z.number(),
  entity_id: z.number(),
  note_type: z.string().optional(),
  params: z.record(z.string(), z.unknown()).nullish(),
});
export type KommoNote = z.infer<typeof noteSchema>;

export const botSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  type_functionality: z.string().optional(),
  settings: z.looseObject({ active: z.boolean().optional() }).nullish(),
});
export type KommoBot = z.infer<typeof botSchema>;

/** An account webhook (`POST`/`GET /api/v4/webhooks`, docs/kommo-contract.md §8.1.1). */
export const webhookSchema = z.looseObject({
  id: z.number().optional(),
  destination: z.string(),
  settings: z.array(z.string()).default([]),
  disabled: z.boolean().optional(),
});
export type KommoWebhook = z.infer<typeof webhookSchema>;

/** A HAL list page, read as its items (`_embedded.{key}`) and the `_links.next` href if any. */
export function halList<T extends z.ZodType>(key: string, item: T) {
  return z
    .looseObject({
      _embedded: z.looseObject({ [key]: z.array(item) }),
      _links: links.optional(),
    })
    .transform((page) => ({ items: page._embedded[key] ?? [], next: page._links?.next?.href }));
}

export type HalList<T> = { items: T[]; next?: string | undefined };
