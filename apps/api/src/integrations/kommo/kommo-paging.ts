import { type z } from 'zod';
import { KommoApiError } from './kommo-errors';
import { type HalList } from './kommo-schemas';
import { type KommoTransport } from './kommo-transport';

/** Kommo's maximum page size (docs/kommo-contract.md §4.3). */
export const KOMMO_PAGE_LIMIT = 250;
// 250 000 items: far beyond any list we read; stops a server that keeps sending `next`.
const MAX_PAGES = 1_000;

/**
 * Reads every page of a Kommo list: `limit=250`, then each `_links.next` until there is none
 * (204 = no items). The next link's host is not trusted: only its query string is taken and the
 * request goes to our own base URL, so the token never travels to a host from a response body.
 */
export async function collectPages<T>(
  transport: KommoTransport,
  path: string,
  schema: z.ZodType<HalList<T>>,
  filters: URLSearchParams = new URLSearchParams(),
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let query = new URLSearchParams(filters);
  query.set('limit', String(KOMMO_PAGE_LIMIT));
  seen.add(query.toString());
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await transport.send({ method: 'GET', path, query, schema });
    if (!result) return items;
    items.push(...result.items);
    if (!result.next || result.items.length === 0) return items;
    query = nextQuery(result.next, path);
    const key = query.toString();
    if (seen.has(key)) break;
    seen.add(key);
  }
  throw new KommoApiError({
    kind: 'server',
    retryable: false,
    message: `Kommo GET ${path}: paging does not end (a next link repeats or exceeds ${MAX_PAGES} pages)`,
  });
}

function nextQuery(href: string, path: string): URLSearchParams {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    url = new URL(href, 'http://relative.invalid');
  }
  if (!url.pathname.endsWith(path)) {
    throw new KommoApiError({
      kind: 'server',
      retryable: false,
      message: `Kommo GET ${path}: next link points elsewhere (${url.pathname})`,
    });
  }
  return url.searchParams;
}
