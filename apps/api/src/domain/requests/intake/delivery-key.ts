import { createHash } from 'node:crypto';

/**
 * What makes two deliveries "the same" (docs/architecture.md): an explicit Idempotency-Key, the
 * continue id of a widget_request (Kommo opens one per bot wait), or else the exact content of a
 * classic webhook (its query parameters in sorted order, then the body's bytes) within the dedupe
 * window. A new customer message changes the lead's fields and so the body.
 *
 * The body is hashed as it arrived rather than as parsed: a resent delivery is the same bytes,
 * and rebuilding a sorted copy of the parsed body cost the ack path a few percent of its CPU.
 */
export function deliveryKey(input: {
  idempotencyKey?: string | undefined;
  continuePath?: string | undefined;
  query: URLSearchParams;
  rawBody: Buffer;
}): string {
  if (input.idempotencyKey) {
    return `idem:${createHash('sha256').update(input.idempotencyKey).digest('base64url')}`;
  }
  if (input.continuePath) return `continue:${input.continuePath}`;
  const hash = createHash('sha256');
  // Length-prefixed, so no query can run into the body and collide with another split.
  const query = sortedQuery(input.query);
  hash.update(`${Buffer.byteLength(query)}:${query}`);
  hash.update(input.rawBody);
  return `body:${hash.digest('base64url')}`;
}

function sortedQuery(query: URLSearchParams): string {
  if (query.size === 0) return '';
  const sorted = new URLSearchParams(query);
  sorted.sort();
  return sorted.toString();
}
