import { type BodyRecord } from './webhook-body';

const LEAD_EVENTS = ['add', 'update', 'status', 'responsible', 'restore', 'note'];

/**
 * Finds the lead id in any of the shapes salesbots and templates send (docs/product.md §2):
 * `?lead_id=`, `lead_id`, `data[lead_id]`, `entity_id`, `leads[<event>][0][id]`. Undefined when
 * none is a positive integer.
 */
export function extractLeadId(body: BodyRecord, query: URLSearchParams): number | undefined {
  const data = record(body.data);
  const leads = record(body.leads);
  const fromEvents = LEAD_EVENTS.map((event) => record(record(record(leads?.[event])?.['0']))?.id);
  const anyEvent = leads
    ? Object.values(leads).map((entries) => record(record(entries)?.['0'])?.id)
    : [];
  const candidates: unknown[] = [
    query.get('lead_id'),
    body.lead_id,
    data?.lead_id,
    body.entity_id,
    ...fromEvents,
    ...anyEvent,
  ];
  for (const candidate of candidates) {
    const id = positiveInt(candidate);
    if (id !== undefined) return id;
  }
  return undefined;
}

export function positiveInt(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return undefined;
  const id = Number(value.trim());
  return id > 0 ? id : undefined;
}

// Arrays (JSON bodies) and numeric-key objects (PHP forms) are read alike.
function record(value: unknown): BodyRecord | undefined {
  return typeof value === 'object' && value !== null ? (value as BodyRecord) : undefined;
}

/**
 * The lead's field values when the webhook carries them (`leads[<event>][0][custom_fields]`, as
 * Kommo's lead webhooks send them): field id → text. Lets the worker skip reading the lead.
 */
export function extractLeadFields(body: BodyRecord): Record<string, string> | undefined {
  const leads = record(body.leads);
  if (!leads) return undefined;
  for (const entries of Object.values(leads)) {
    const fields = record(record(record(entries)?.['0'])?.custom_fields);
    if (!fields) continue;
    const values: Record<string, string> = {};
    for (const field of Object.values(fields)) {
      const entry = record(field);
      const id = positiveInt(entry?.id);
      const value = record(record(entry?.values)?.['0'])?.value;
      if (id !== undefined && (typeof value === 'string' || typeof value === 'number')) {
        values[String(id)] = String(value);
      }
    }
    return values;
  }
  return undefined;
}
