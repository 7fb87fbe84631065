import { matchPath } from './request-log.js';

/** What a test asks for: the next `count` matching requests misbehave. */
export type FaultSpec = {
  /** Glob on the normalised path (`*` = anything), e.g. `/api/v4/leads*` or `/oauth2/access_token`. */
  path: string;
  method?: string;
  account_id?: number;
  /** How many requests it hits (default 1); null = until removed. */
  count?: number | null;
  /** Answer with this status instead of the handler (429 gets a Kommo 429 body). */
  status?: number;
  /** Body for `status` (default: a problem+json for that status). */
  body?: unknown;
  retry_after?: number;
  /** Wait this many real milliseconds first; alone, the request then proceeds normally. */
  delay_ms?: number;
  /** Never answer (the socket is dropped after `hang_ms`, default 120 s, or when the sandbox closes). */
  hang?: boolean;
  hang_ms?: number;
};

export type Fault = FaultSpec & { id: number; remaining: number | null; hits: number };

/** Injected misbehaviour, checked by the API guard before the handler runs. */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;
  private hanging = new Set<() => void>();

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      ...spec,
      id: this.nextId++,
      remaining: spec.count === null ? null : (spec.count ?? 1),
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** The first fault matching this request, used up by one. */
  take(method: string, path: string, accountId: number | null): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.account_id === undefined || f.account_id === accountId) &&
        matchPath(f.path, path),
    );
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }

  /** Resolves after `ms` real time or when `releaseAll` runs (the server is closing). */
  hang(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.hanging.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.hanging.add(release);
    });
  }

  releaseAll(): void {
    for (const release of [...this.hanging]) release();
  }

  clear(): void {
    this.faults = [];
    this.releaseAll();
  }
}
