/** One HTTP exchange the sandbox took part in ('in': it answered; 'out': it called someone). */
export type RequestLogEntry = {
  id: number;
  /** Virtual time (sandbox clock), ms since the epoch. */
  at: number;
  time: string;
  direction: 'in' | 'out';
  method: string;
  /** Path without the `/a/{subdomain}` prefix and the query; the full URL for outbound calls. */
  path: string;
  url: string;
  account_id: number | null;
  status: number;
  /** What the call was, when the sandbox knows: `oauth.authorization_code`, `oauth.refresh_token`, `install`, … */
  kind: string | null;
  /** Why the sandbox answered as it did when it was not the handler: rate limit, block, fault, auth. */
  outcome: 'rate-limited' | 'blocked' | 'fault' | 'unauthorized' | null;
  duration_ms: number;
  query?: unknown;
  /** Request body of account-scoped API calls and outbound calls. */
  body?: unknown;
  error?: string;
};

export type RequestLogFilter = {
  method?: string;
  /** Exact path, or a glob where `*` matches anything (e.g. `/api/v4/leads*`). */
  path?: string;
  account_id?: number;
  status?: number;
  kind?: string;
  direction?: 'in' | 'out';
  /** Only entries at or after this virtual time (ms). */
  since?: number;
};

export type RequestCounters = {
  total: number;
  status429: number;
  status403: number;
  blocked: number;
};

/** `*` matches any run of characters; everything else is literal. */
export function matchPath(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return pattern === path;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${source.join('.*')}$`).test(path);
}

const MAX_ENTRIES = 20_000;

/** Every request the sandbox received or sent, newest last; capped so a long dev session stays small. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextId = 1;
  private counters: RequestCounters = { total: 0, status429: 0, status403: 0, blocked: 0 };

  record(entry: Omit<RequestLogEntry, 'id' | 'time'>): RequestLogEntry {
    const full: RequestLogEntry = {
      id: this.nextId++,
      time: new Date(entry.at).toISOString(),
      ...entry,
    };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) {
      this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    }
    if (entry.direction === 'in') {
      this.counters.total += 1;
      if (entry.status === 429) this.counters.status429 += 1;
      if (entry.status === 403) this.counters.status403 += 1;
      if (entry.outcome === 'blocked') this.counters.blocked += 1;
    }
    return full;
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || matchPath(filter.path, e.path)) &&
        (filter.account_id === undefined || e.account_id === filter.account_id) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.direction === undefined || e.direction === filter.direction) &&
        (filter.since === undefined || e.at >= filter.since),
    );
  }

  /** 429/403 counts since the last clear (inbound requests only). */
  getCounters(): RequestCounters {
    return { ...this.counters };
  }

  clear(): void {
    this.entries = [];
    this.counters = { total: 0, status429: 0, status403: 0, blocked: 0 };
  }
}
