import { isIP } from 'node:net';
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

const hostPortList = z
  .string()
  .refine(
    (v) =>
      v
        .split(',')
        .every((h) => /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(h.trim())),
    'expected comma-separated host or host:port entries such as 127.0.0.1:4000',
  )
  .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()));

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

// proxy-addr's names for address ranges, accepted by Fastify's trustProxy like addresses.
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyEntry = (entry: string): boolean => {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
};
/** `false`, `true`, a hop count, or addresses, CIDRs and range names, comma-separated. */
const trustProxy = z.string().transform((value, ctx): boolean | number | string[] => {
  const text = value.trim();
  if (text === 'false' || text === 'true') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyEntry(entry));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `not an address, CIDR, hop count or loopback/linklocal/uniquelocal: ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});

/** Every environment variable the API and the worker read, with its default. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: httpUrl.default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/gpt_bridge'),
  // Connections per process; the ack path holds one for a single statement per webhook.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379/0'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"')
    .default('gptb'),
  ENCRYPTION_KEYS: encryptionKeys,
  ADMIN_DIST_DIR: z.string().optional(),
  // Admin panel sign-in: how long a session lasts, and how long an email is refused after
  // ADMIN_MAX_FAILED_LOGINS wrong passwords in a row.
  ADMIN_SESSION_HOURS: z.coerce.number().min(0.1).max(720).default(12),
  ADMIN_MAX_FAILED_LOGINS: z.coerce.number().int().min(1).max(100).default(5),
  ADMIN_LOCKOUT_MINUTES: z.coerce.number().min(0.1).max(1_440).default(15),
  // Sign-in flood limits: failed sign-ins from one client address per ADMIN_LOCKOUT_MINUTES
  // (spraying across emails), and password hashes computed at once per process.
  ADMIN_MAX_FAILED_LOGINS_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(20),
  ADMIN_SIGNIN_CONCURRENT_HASHES: z.coerce.number().int().min(1).max(16).default(1),
  // The Kommo integration (Kommo > Settings > Integrations). Without id and secret the API runs,
  // but OAuth, the uninstall hook and the widget API answer 503 "not configured".
  KOMMO_CLIENT_ID: z.string().min(1).optional(),
  KOMMO_CLIENT_SECRET: z.string().min(1).optional(),
  KOMMO_REDIRECT_URI: httpUrl.optional(),
  KOMMO_API_URL_TEMPLATE: kommoUrlTemplate.default('https://{host}'),
  KOMMO_CONSENT_URL: httpUrl.default('https://www.kommo.com/oauth'),
  // Central host for finding a renamed account (docs/kommo-contract.md §2.6).
  KOMMO_ACCOUNT_LOOKUP_URL: httpUrl.default('https://api-a.amocrm.ru'),
  // Our request budgets at Kommo (docs/architecture.md "Kommo request budget"): per installation
  // and, when not 0, for all installations behind our egress address. Kommo allows 7 per second;
  // staying under it leaves a margin for arrival jitter.
  KOMMO_RATE_LIMIT_PER_SECOND: z.coerce
    .number()
    .positive()
    .lt(7, "must stay under Kommo's 7 per second (the margin absorbs jitter)")
    .default(6),
  KOMMO_EGRESS_RATE_LIMIT_PER_SECOND: z.coerce
    .number()
    .min(0)
    .lt(7, "must stay under Kommo's 7 per second (the margin absorbs jitter)")
    .default(0),
  // How long a request whose answer waits behind Kommo's 403 block keeps being retried (the
  // classic template waits up to 90 s for an answer); after it the request ends `kommo_blocked`.
  KOMMO_BLOCK_PATIENCE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(90),
  // What unauthenticated OAuth callbacks may cost at Kommo's token endpoint: code exchanges per
  // referer and in total per window (docs/architecture.md, "Unauthenticated callers").
  KOMMO_TOKEN_BUDGET_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000).default(5),
  KOMMO_TOKEN_BUDGET_TOTAL: z.coerce.number().int().min(1).max(10_000).default(30),
  KOMMO_TOKEN_BUDGET_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  // Multiplies every per-address budget of the routes anyone can call (common/http/client-budget.ts,
  // docs/architecture.md "Unauthenticated callers"); 0 turns them off.
  CLIENT_BUDGET_SCALE: z.coerce.number().min(0).max(1_000).default(1),
  WIDGET_EXTRA_ORIGINS: originList.optional(),
  // AI providers. The ChatGPT webhook's model comes from ?model= or this default; the classic
  // template sets no ?model=, so changing this moves every installed template (gpt-4o-mini
  // leaves OpenAI's API on 2027-01-14, see docs; an account can still ask for it).
  OPENAI_BASE_URL: httpUrl.default('https://api.openai.com/v1'),
  OPENAI_DEFAULT_MODEL: z.string().min(1).default('gpt-6-luna'),
  OPENAI_VISION_MODEL: z.string().min(1).default('gpt-6-luna'),
  OPENAI_TRANSCRIBE_MODEL: z.string().min(1).default('gpt-4o-mini-transcribe'),
  DIFY_BASE_URL: httpUrl.default('https://api.dify.ai/v1'),
  CHATBASE_BASE_URL: httpUrl.default('https://www.chatbase.co/api'),
  AI_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(25_000),
  AI_RETRY_BUDGET_MS: z.coerce.number().int().min(0).max(300_000).default(45_000),
  // Outbound guard (provider base URLs, media downloads): https only and no private, loopback or
  // link-local addresses, except these host[:port] entries or everything when ALLOW_PRIVATE is set.
  OUTBOUND_ALLOWED_HOSTS: hostPortList.optional(),
  OUTBOUND_ALLOW_PRIVATE: flag.default(false),
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(20 * 1024 * 1024),
  MEDIA_TIMEOUT_MS: z.coerce.number().int().min(500).default(10_000),
  // HTTP server limits against slow or piling-up clients (docs/architecture.md#http-hardening):
  // far above what Kommo needs (it must get our answer within 2 s), low enough that a client
  // trickling bytes cannot hold a connection for minutes. The idle timeout is raised to outlast
  // the widget's test console, which waits for a provider for up to AI_RETRY_BUDGET_MS.
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(200).max(300_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(200).max(300_000).default(30_000),
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(72_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(4_096),
  // Whose X-Forwarded-For to believe for the client address (the sign-in limit per address).
  TRUST_PROXY: trustProxy.default(['loopback']),
  // Webhook intake.
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(262_144),
  WEBHOOK_DEDUPE_WINDOW_SECONDS: z.coerce.number().int().min(0).default(300),
  AI_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(40),
  // One answer per burst (docs/architecture.md): a newer pending request of a lead answers for
  // the older ones. false: every request is answered in turn, as before issue 22.
  AI_COALESCE_PENDING: flag.default(true),
  // How often the worker looks for acknowledged requests that have no live job (lost with Redis,
  // or held by a killed worker), and how old such a request must be.
  INTAKE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  INTAKE_STALE_AFTER_MS: z.coerce.number().int().min(100).default(15_000),
  // Retention (docs/architecture.md, "Retention"): customer texts of requests and idle
  // conversation memory go after RETENTION_DAYS; an uninstalled account's personal data after
  // UNINSTALL_PURGE_DAYS (a reinstall within it keeps everything). One worker runs the job per
  // RETENTION_INTERVAL_MS.
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  UNINSTALL_PURGE_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
});

export type Env = z.infer<typeof envSchema>;

/** Variables never printed, not even masked in part. */
export const SECRET_ENV_KEYS: ReadonlySet<keyof Env> = new Set<keyof Env>([
  'ENCRYPTION_KEYS',
  'KOMMO_CLIENT_SECRET',
]);
