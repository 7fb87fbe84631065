import { type BodyRecord } from './webhook-body';

const LEAD_EVENTS = ['add', 'update', 'status', 'responsible', 'restore', 'note'];

/**
 * Finds the lead id in any of the shapes salesbots and templates send (product.md): `?lead_id=`,
 * `lead_id`, `data[lead_id]`, `entity_id`, `leads[<event>][0][id]`. Undefined when none is a
 * positive integer.
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

function record(value: unknown): BodyRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as BodyRecord)
    : undefined;
}
