import { z } from 'zod';

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a postgres:// or postgresql:// URL');
const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a redis:// or rediss:// URL');
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+[^\s]*$/, 'expected an http:// or https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));

// "k1:<base64 of 32 bytes>,k0:<...>": the first key encrypts, every listed key can decrypt,
// so a key can be rotated without losing what the old one wrote.
const encryptionKeys = z
  .string()
  .min(1, 'expected "<keyId>:<base64 of 32 random bytes>", comma-separated')
  .refine(
    (v) =>
      v
        .split(',')
        .every((part) =>
          /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+$/.test(part.trim())
            ? Buffer.from(part.trim().split(':')[1] ?? '', 'base64').length === 32
            : false,
        ),
    'expected "<keyId>:<base64 of 32 random bytes>", comma-separated (generate one with: openssl rand -base64 32)',
  );

// "https://{host}" in production; the sandbox serves accounts under "http://127.0.0.1:4000/a/{subdomain}".
const kommoUrlTemplate = z
  .string()
  .regex(
    /^https?:\/\/\S*\{(host|subdomain)\}\S*$/,
    'expected an http(s) URL containing {host} or {subdomain}',
  )
  .transform((u) => u.replace(/\/+$/, ''));

const originList = z
  .string()
  .refine(
    (v) => v.split(',').every((o) => /^https?:\/\/[^\s/]+$/.test(o.trim())),
    'expected comma-separated origins such as https://example.com (no path)',
  )
  .transform((v) => v.split(',').map((o) => o.trim()));

/** Every environment variable the API and the worker read, with its default. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: httpUrl.default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/gpt_bridge'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379/0'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"')
    .default('gptb'),
  ENCRYPTION_KEYS: encryptionKeys,
  ADMIN_DIST_DIR: z.string().optional(),
  // The Kommo integration (Kommo > Settings > Integrations). Without id and secret the API runs,
  // but OAuth, the uninstall hook and the widget API answer 503 "not configured".
  KOMMO_CLIENT_ID: z.string().min(1).optional(),
  KOMMO_CLIENT_SECRET: z.string().min(1).optional(),
  KOMMO_REDIRECT_URI: httpUrl.optional(),
  KOMMO_API_URL_TEMPLATE: kommoUrlTemplate.default('https://{host}'),
  KOMMO_CONSENT_URL: httpUrl.default('https://www.kommo.com/oauth'),
  KOMMO_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(7).default(6),
  WIDGET_EXTRA_ORIGINS: originList.optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Variables never printed, not even masked in part. */
export const SECRET_ENV_KEYS: ReadonlySet<keyof Env> = new Set<keyof Env>([
  'ENCRYPTION_KEYS',
  'KOMMO_CLIENT_SECRET',
]);
