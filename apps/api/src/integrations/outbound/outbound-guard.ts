import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { type LookupFunction } from 'node:net';
import {
  Agent,
  FormData as UndiciFormData,
  fetch as undiciFetch,
  type RequestInit as UndiciRequestInit,
} from 'undici';
import { type AppConfig } from '../../config/app-config';
import { AppError } from '../../common/errors/app-error';
import { type FetchLike } from './fetch-like';
import { isIpLiteral, isPrivateAddress } from './address-policy';

/**
 * The outbound guard: every request to an address an account typed in (provider base URLs) or a
 * customer sent (media links) goes through it. https only, no private/loopback/link-local peers,
 * except hosts on OUTBOUND_ALLOWED_HOSTS (the sandbox, a self-hosted Dify) or everything private
 * when OUTBOUND_ALLOW_PRIVATE is set.
 */
export type OutboundPolicy = {
  /** Lower-cased `host` (any port) or `host:port` entries, exempt from the https and address rules. */
  allowedHosts: string[];
  /** Private addresses allowed (https is still required off the allow-list). */
  allowPrivate: boolean;
};

export type OutboundBlockReason =
  'scheme' | 'private_address' | 'credentials_in_url' | 'bad_url' | 'redirect';

const REASON_TEXT: Record<OutboundBlockReason, string> = {
  scheme: 'only https addresses are allowed',
  private_address: 'address not allowed (private or local network)',
  credentials_in_url: 'addresses with a user name or password are not allowed',
  bad_url: 'not a valid http(s) address',
  redirect: 'redirects are not allowed',
};

/** A request the guard refused before (or instead of) talking to the peer. */
export class OutboundBlockedError extends AppError<'outbound_blocked'> {
  constructor(
    readonly reason: OutboundBlockReason,
    /** The host concerned, when there is one (never the full URL: it may carry tokens). */
    readonly host?: string,
  ) {
    super(
      'outbound_blocked',
      'internal',
      host ? `${REASON_TEXT[reason]}: ${host}` : REASON_TEXT[reason],
    );
  }
}

export function policyFromConfig(config: AppConfig): OutboundPolicy {
  return {
    allowedHosts: config.get('OUTBOUND_ALLOWED_HOSTS') ?? [],
    allowPrivate: config.get('OUTBOUND_ALLOW_PRIVATE'),
  };
}

const stripDot = (host: string) => host.replace(/\.$/, '');

/** `host` entries match any port, `host:port` only that port (443/80 when the URL has none). */
export function isAllowListed(url: URL, policy: OutboundPolicy): boolean {
  const host = stripDot(url.hostname.toLowerCase());
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return policy.allowedHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    return stripDot(e) === host || e === `${host}:${port}`;
  });
}

/**
 * The checks that need no network: parse, http(s) only, http only for allow-listed hosts, no
 * credentials, and IP literals judged right away. Names (`localhost` too) are judged at connect
 * time by their DNS answers (see `requiresDnsCheck` and `createGuardedFetch`).
 */
export function checkUrl(input: string | URL, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OutboundBlockedError('bad_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundBlockedError('scheme', url.protocol.replace(/:$/, ''));
  }
  if (!url.hostname) throw new OutboundBlockedError('bad_url');
  if (url.username || url.password) {
    throw new OutboundBlockedError('credentials_in_url', url.hostname);
  }
  const listed = isAllowListed(url, policy);
  if (!listed && !policy.allowPrivate) {
    // The URL parser already normalised 2130706433, 0x7f.1 and friends into dotted form.
    if (isIpLiteral(url.hostname) && isPrivateAddress(url.hostname)) {
      throw new OutboundBlockedError('private_address', url.host);
    }
  }
  if (url.protocol === 'http:' && !listed) throw new OutboundBlockedError('scheme', url.host);
  return url;
}

/** Whether the host's DNS answers must be judged at connect time (a name, not exempt). */
export function requiresDnsCheck(url: URL, policy: OutboundPolicy): boolean {
  return !policy.allowPrivate && !isAllowListed(url, policy) && !isIpLiteral(url.hostname);
}

type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for sockets that refuses a host when ANY of its addresses is private. It runs right
 * before connecting, on the very answer the socket then uses, so a name cannot pass a check and
 * then rebind to 127.0.0.1.
 */
export function createGuardedLookup(
  resolve: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback),
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(
      hostname,
      { family: options.family, hints: options.hints, all: true, order: 'verbatim' },
      (error, addresses) => {
        if (error) return callback(error, '', 0);
        const first = addresses[0];
        if (!first) {
          const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          notFound.code = 'ENOTFOUND';
          return callback(notFound, '', 0);
        }
        if (addresses.some((a) => isPrivateAddress(a.address))) {
          return callback(new OutboundBlockedError('private_address', hostname), '', 0);
        }
        // Node asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily).
        if (options.all) return callback(null, addresses);
        callback(null, first.address, first.family);
      },
    );
  };
}

export type GuardedFetchOptions = {
  /** Aborts each call (all its redirects included) after this long. */
  timeoutMs?: number;
  /**
   * 0 (providers never redirect): a 3xx is an error. Media CDNs sometimes redirect: the
   * downloader follows up to this many, each Location checked like the first URL.
   */
  maxRedirects?: number;
};

/** A guarded fetch; `close()` releases its connection pools. */
export type GuardedFetch = FetchLike & { close(): Promise<void> };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The first OutboundBlockedError in an error's cause chain (undici wraps it in "fetch failed"). */
function blockedCause(error: unknown): OutboundBlockedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof OutboundBlockedError) return current;
    current = current.cause;
  }
  return undefined;
}

// Node's global FormData (its bundled undici) is not undici 7's class, which would send it as
// "[object FormData]"; copy it over so SDKs that build multipart bodies keep working.
function toUndiciBody(body: RequestInit['body']): UndiciRequestInit['body'] {
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    const form = new UndiciFormData();
    for (const [name, value] of body.entries()) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, value.name);
    }
    return form;
  }
  return body as UndiciRequestInit['body'];
}

/**
 * `fetch` through the guard: checkUrl on every URL (each redirect hop too), `redirect: 'manual'`,
 * and sockets whose DNS answers are judged at connect time unless the host is exempt.
 */
export function createGuardedFetch(
  policy: OutboundPolicy,
  options: GuardedFetchOptions = {},
): GuardedFetch {
  const maxRedirects = options.maxRedirects ?? 0;
  const checked = new Agent({ connect: { lookup: createGuardedLookup() } });
  const exempt = new Agent();

  const send = async (url: URL, init: RequestInit, signal?: AbortSignal): Promise<Response> => {
    const dispatcher = requiresDnsCheck(url, policy) ? checked : exempt;
    try {
      return await undiciFetch(url, {
        ...(init as UndiciRequestInit),
        body: toUndiciBody(init.body),
        redirect: 'manual',
        dispatcher,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw blockedCause(error) ?? error;
    }
  };

  const guarded = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    let url = checkUrl(input, policy);
    const signals = [
      init.signal,
      options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : null,
    ].filter((s): s is AbortSignal => !!s);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    let request: RequestInit = init;
    for (let hop = 0; ; hop++) {
      const response = await send(url, request, signal);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new OutboundBlockedError('redirect', url.host);
      let target: URL;
      try {
        target = new URL(location, url);
      } catch {
        throw new OutboundBlockedError('bad_url', url.host);
      }
      const next = checkUrl(target, policy);
      const method = (request.method ?? 'GET').toUpperCase();
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        request = { ...request, method: 'GET', body: null };
      } else if (request.body !== undefined && request.body !== null) {
        // A 307/308 would resend the body, which may be a one-shot stream.
        throw new OutboundBlockedError('redirect', url.host);
      }
      if (next.origin !== url.origin) {
        // Credentials for one origin must not travel to another.
        const headers = new Headers(request.headers);
        headers.delete('authorization');
        headers.delete('cookie');
        headers.delete('proxy-authorization');
        request = { ...request, headers };
      }
      url = next;
    }
  };

  return Object.assign(guarded, {
    close: async () => {
      await Promise.all([checked.close(), exempt.close()]);
    },
  });
}
