import { type KommoLead } from '../../integrations/kommo/kommo-schemas';

/** A lead field's value as text ('' when empty or absent). */
export function fieldText(lead: KommoLead, fieldId: number | undefined): string {
  if (fieldId === undefined) return '';
  const field = lead.custom_fields_values?.find((entry) => entry.field_id === fieldId);
  const value = field?.values[0]?.value;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}
