import { z } from 'zod';
import { LEAD_FIELD_KEYS } from '../constants/lead-fields.js';

/** `GET /widget-api/fields`: the lead fields we provisioned, with their Kommo ids. */
export const WidgetFieldSchema = z.object({
  key: z.enum(LEAD_FIELD_KEYS),
  kommoFieldId: z.number().int().positive(),
  code: z.string(),
  name: z.string(),
  type: z.string(),
});

export const WidgetFieldsResponseSchema = z.object({
  fields: z.array(WidgetFieldSchema),
  /** True once all six exist; false while provisioning has not finished. */
  complete: z.boolean(),
});

export type WidgetField = z.infer<typeof WidgetFieldSchema>;
export type WidgetFieldsResponse = z.infer<typeof WidgetFieldsResponseSchema>;
