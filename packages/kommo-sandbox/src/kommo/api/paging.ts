import { type FastifyRequest } from 'fastify';
import qs from 'qs';

export const MAX_LIMIT = 250;

/** The query string parsed PHP-style (`filter[id][]=1`), as Kommo reads it. */
export function parseQuery(request: FastifyRequest): Record<string, unknown> {
  const index = request.url.indexOf('?');
  return index < 0 ? {} : qs.parse(request.url.slice(index + 1));
}

export type Paging = { page: number; limit: number };

/** `page` (from 1) and `limit` (default 50, at most 250); an error text for a 422 otherwise. */
export function parsePaging(
  query: Record<string, unknown>,
  defaultLimit = 50,
): Paging | { error: string } {
  const page = query.page === undefined ? 1 : Number(query.page);
  const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1) return { error: 'Limit must be a positive integer' };
  if (limit > MAX_LIMIT) return { error: `Limit ${MAX_LIMIT} per page` };
  if (!Number.isInteger(page) || page < 1) return { error: 'Page must be a positive integer' };
  return { page, limit };
}

/** One page of `items` and the HAL envelope around it (`_page`, `_links.self/next/prev`). */
export function pageEnvelope<T>(
  items: T[],
  paging: Paging,
  link: { baseUrl: string; path: string; query: Record<string, unknown> },
): { items: T[]; envelope: { _page: number; _links: Record<string, { href: string }> } } {
  const start = (paging.page - 1) * paging.limit;
  const slice = items.slice(start, start + paging.limit);
  // page and limit lead the query string; other params (filters) follow as given.
  const rest = Object.fromEntries(
    Object.entries(link.query).filter(([key]) => key !== 'page' && key !== 'limit'),
  );
  const href = (page: number) =>
    `${link.baseUrl}${link.path}?${qs.stringify({ page, limit: paging.limit, ...rest }, { encodeValuesOnly: true })}`;
  const links: Record<string, { href: string }> = { self: { href: href(paging.page) } };
  if (start + paging.limit < items.length) links.next = { href: href(paging.page + 1) };
  if (paging.page > 1) links.prev = { href: href(paging.page - 1) };
  return { items: slice, envelope: { _page: paging.page, _links: links } };
}

/** Reads `filter[id]` whether sent as `filter[id]=1`, `filter[id][]=1&filter[id][]=2` or `1,2`. */
export function idFilter(value: unknown): Set<number> | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? Object.values(value)
      : typeof value === 'string' || typeof value === 'number'
        ? String(value).split(',')
        : [];
  return new Set(list.map((v) => Number(v)).filter((n) => Number.isInteger(n)));
}
