/**
 * What sort of failure an error is, which is all the HTTP layer needs to answer it
 * (AllExceptionsFilter holds the one category → status table). `internal` is never shown.
 */
export const ERROR_CATEGORIES = [
  'invalid_input',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'unsupported_media_type',
  'too_many_requests',
  'internal',
  'upstream_failed',
  'unavailable',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** A module's codes and the category of each: the one place that decides a code's HTTP status. */
export type ErrorTable<C extends string> = Readonly<Record<C, ErrorCategory>>;

export type AppErrorOptions = {
  cause?: unknown;
  /** When to come back, for a refusal that knows it (answered as `Retry-After`). */
  retryAfterSec?: number;
  /** What was wrong, one line each (the widget lists them). */
  problems?: string[];
};

/**
 * The base of every error the API throws on purpose. `code` is typed by the module that owns it
 * (its own union); the message is for people and goes out as it is unless the category is
 * `internal`.
 */
export abstract class AppError<C extends string = string> extends Error {
  readonly retryAfterSec?: number;
  readonly problems?: string[];

  protected constructor(
    readonly code: C,
    readonly category: ErrorCategory,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.retryAfterSec !== undefined) this.retryAfterSec = options.retryAfterSec;
    if (options.problems !== undefined) this.problems = options.problems;
  }
}

/**
 * The usual shape of a module's error: a code union and its table, e.g.
 * `class PlanError extends ModuleError<PlanErrorCode> {}` built with `PLAN_ERRORS`.
 */
export abstract class ModuleError<C extends string> extends AppError<C> {
  protected constructor(table: ErrorTable<C>, code: C, message: string, options?: AppErrorOptions) {
    super(code, table[code], message, options);
  }
}
