import { existsSync } from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import { AppError } from '../common/errors/app-error';
import { envSchema, SECRET_ENV_KEYS, type Env } from './env.schema';

/** Thrown when the environment does not validate; `problems` holds one readable line each. */
export class ConfigError extends AppError<'invalid_config'> {
  constructor(override readonly problems: string[]) {
    super(
      'invalid_config',
      'internal',
      `Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}

function describeIssue(
  issue: z.core.$ZodIssue,
  source: Record<string, string | undefined>,
): string {
  const key = issue.path.join('.');
  const raw = source[key];
  if (raw === undefined || raw === '') return `${key}: missing; ${issue.message}`;
  // Never echo a secret's value back, even when it is wrong.
  const shown = SECRET_ENV_KEYS.has(key as keyof Env) ? '' : ` (got "${raw}")`;
  return `${key}: ${issue.message}${shown}`;
}

/** Validates `source` against a schema (all of it, or a subset such as the database part). */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings mean "not set": a blank line in .env must not override a default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, source)));
  }
  return result.data;
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = path.join(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

/** A copy fit for a log line: secrets replaced by a marker. */
export function redactConfig(config: Env): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k,
      SECRET_ENV_KEYS.has(k as keyof Env)
        ? '[secret]'
        : k === 'DATABASE_URL'
          ? maskUrlPassword(String(v))
          : v,
    ]),
  );
}

function maskUrlPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** Only DATABASE_URL: the migration CLI needs no other variable. */
export function loadDatabaseUrl(source: Record<string, string | undefined> = process.env): string {
  return parseEnv(envSchema.pick({ DATABASE_URL: true }), source).DATABASE_URL;
}

/** Only Redis's URL and our key prefix: `pnpm admin:create-user` clears a sign-in lockout. */
export function loadRedisSettings(source: Record<string, string | undefined> = process.env): {
  REDIS_URL: string;
  REDIS_PREFIX: string;
} {
  return parseEnv(envSchema.pick({ REDIS_URL: true, REDIS_PREFIX: true }), source);
}

/** `pnpm admin:create-user` takes the password from ADMIN_PASSWORD in scripts (never printed). */
export function loadAdminPassword(
  source: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = source.ADMIN_PASSWORD;
  return value === undefined || value === '' ? undefined : value;
}
