import { type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../context.js';
import { type KommoAccount } from './types.js';

/*
 * How a request names its Kommo account (both work on every account-scoped route):
 *  (a) path prefix `/a/{subdomain}` (or `/a/{host}`), e.g. `http://127.0.0.1:4000/a/acme/api/v4/leads`;
 *  (b) the Host header, e.g. `Host: acme.kommo.com:4000` with `http://127.0.0.1:4000/api/v4/leads`.
 * The prefix wins when both are present. The backend is configured with a base URL per account
 * host; `accountBaseUrl` gives the prefix form.
 */

export const ACCOUNT_PARAM = 'sandboxAccount';
const PREFIX = /^\/a\/([^/?#]+)(?=[/?#]|$)/;

/** The URL our backend should use for `https://{account.host}` in tests: `{sandbox}/a/{subdomain}`. */
export function accountBaseUrl(context: SandboxContext, account: KommoAccount): string {
  return `${context.publicUrl.value}/a/${account.subdomain}`;
}

/** The `/a/{ref}` segment of the URL, if any. */
export function pathPrefixRef(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, string | undefined> | undefined;
  const fromParams = params?.[ACCOUNT_PARAM];
  if (fromParams) return decodeURIComponent(fromParams);
  const match = PREFIX.exec(request.url);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** The account the request addresses (path prefix first, then Host), or undefined. */
export function resolveAccount(
  context: SandboxContext,
  request: FastifyRequest,
): KommoAccount | undefined {
  const ref = pathPrefixRef(request);
  if (ref !== undefined) return context.kommo.findAccount(ref);
  const host = request.headers.host;
  return host ? context.kommo.findAccountByHost(host) : undefined;
}

/** Path without the `/a/{ref}` prefix and the query: what logs and fault patterns match on. */
export function normalisedPath(url: string): string {
  const path = url.split('?')[0] ?? url;
  return path.replace(PREFIX, '') || '/';
}

/** Scheme + host + prefix as the client used them, for `_links` hrefs. */
export function requestBaseUrl(request: FastifyRequest): string {
  const match = PREFIX.exec(request.url);
  return `${request.protocol}://${request.host}${match ? match[0] : ''}`;
}
