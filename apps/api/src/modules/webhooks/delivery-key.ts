import { createHash } from 'node:crypto';
import { type BodyRecord } from './webhook-body';

/**
 * What makes two deliveries "the same" (docs/architecture.md): an explicit Idempotency-Key, the
 * continue id of a widget_request (Kommo opens one per bot wait), or else the exact content of a
 * classic webhook (query and body, keys sorted) within the dedupe window. A new customer message
 * changes the lead's fields and so the body.
 */
export function deliveryKey(input: {
  idempotencyKey?: string | undefined;
  continuePath?: string | undefined;
  query: URLSearchParams;
  body: BodyRecord;
}): string {
  if (input.idempotencyKey) return `idem:${sha256(input.idempotencyKey)}`;
  if (input.continuePath) return `continue:${input.continuePath}`;
  const query = [...input.query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `body:${sha256(canonicalJson({ query, body: input.body }))}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as BodyRecord)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
