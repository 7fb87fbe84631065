// The system under test, started from the BUILT apps exactly as production runs them: the Kommo
// sandbox (a separate process, like Kommo), the API and the worker, configured for each other, on
// a database and a Redis prefix of the bench's own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_NODE_FLAGS } from '../../scripts/api-node-flags.mjs';
import {
  freePort,
  pinning,
  sleep,
  startNode,
  stopProcess,
  waitForHttp,
  waitForLog,
} from './processes.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS_DIR = path.join(ROOT, 'bench/results');
export const LOG_DIR = path.join(RESULTS_DIR, 'logs');

// pg, ioredis and fastify are the API's dependencies; the bench borrows them rather than
// declaring its own copies.
export const apiRequire = createRequire(path.join(ROOT, 'apps/api/package.json'));
const pg = apiRequire('pg');
const IORedis = apiRequire('ioredis');
const Redis = IORedis.default ?? IORedis;

export const API_MAIN = path.join(ROOT, 'apps/api/dist/main.js');
export const API_WORKER = path.join(ROOT, 'apps/api/dist/worker.js');
const API_MIGRATE = path.join(ROOT, 'apps/api/dist/cli/migrate.js');
const SANDBOX_CLI = path.join(ROOT, 'packages/kommo-sandbox/dist/cli.js');

// Children run from bench/ so a developer's .env in the repository root cannot change the setup.
export const CHILD_CWD = path.join(ROOT, 'bench');
const CLIENT_ID = '62656e63-6862-4000-8000-000000000001';
const CLIENT_SECRET = 'bench-client-secret-not-used-anywhere-else';
export const OPENAI_KEY = 'sk-bench-0123456789abcdef';
// The lead field the ChatGPT webhook reads its prompt from (leadFieldCode('PROMPT')).
export const PROMPT_FIELD = 'GPT_BRIDGE_PROMPT';

export function checkBuilt() {
  const missing = [API_MAIN, API_WORKER, API_MIGRATE, SANDBOX_CLI].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `not built: ${missing.map((f) => path.relative(ROOT, f)).join(', ')}. ` +
        'Build first: pnpm --filter @gpt-bridge/shared build && pnpm --filter @gpt-bridge/api build && pnpm --filter @gpt-bridge/kommo-sandbox build',
    );
  }
  mkdirSync(LOG_DIR, { recursive: true });
}

function baseEnv() {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
}

/** A fresh database (dropped, created, migrated) and no keys left under the bench's prefix. */
export async function resetStores(config) {
  const admin = new URL(config.databaseUrl);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  const migrate = spawnSync(process.execPath, [API_MIGRATE], {
    cwd: CHILD_CWD,
    env: { ...baseEnv(), DATABASE_URL: config.databaseUrl },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    throw new Error(`migrations failed: ${migrate.stdout}${migrate.stderr}`);
  }
  await deleteRedisKeys(config, `${config.redisPrefix}:*`);
}

/** Deletes our keys only (SCAN + UNLINK under a pattern): the Redis db may be shared. */
export async function deleteRedisKeys(config, pattern) {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function withDb(config, fn) {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function serviceVersions(config) {
  const postgres = await withDb(
    config,
    async (db) => (await db.query('SHOW server_version')).rows[0],
  );
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    return {
      postgres: postgres.server_version,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? null,
    };
  } finally {
    redis.disconnect();
  }
}

/**
 * The sandbox's control API and Kommo, on the load core (it plays the outside world); `core: null`
 * leaves it unpinned (`pnpm bench:chaos`). `port` (default: a free one), `stateFile` (its
 * SANDBOX_STATE_FILE: the probes read the tokens it issued) and `label` (of its log file) are for
 * `pnpm bench:probes`.
 */
export async function startSandbox({
  port: wanted,
  stateFile,
  label = 'sandbox',
  core = pinning.loadCore,
} = {}) {
  const port = wanted ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const entry = startNode('sandbox', SANDBOX_CLI, {
    cwd: CHILD_CWD,
    env: {
      ...baseEnv(),
      SANDBOX_PORT: String(port),
      SANDBOX_HOST: '127.0.0.1',
      ...(stateFile ? { SANDBOX_STATE_FILE: stateFile } : {}),
    },
    logFile: path.join(LOG_DIR, `${label}.log`),
    core,
  });
  await waitForLog(entry, 'listening on', 15_000);
  const call = async (method, route, body) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { entry, url, call };
}

/** What the API and the worker read; identical for both, as `pnpm start` gives them. */
export function appEnv(config, sandbox, apiPort) {
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    ...baseEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    LOG_LEVEL: config.logLevel,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: config.redisPrefix,
    ENCRYPTION_KEYS: `b1:${Buffer.alloc(32, 7).toString('base64')}`,
    KOMMO_CLIENT_ID: CLIENT_ID,
    KOMMO_CLIENT_SECRET: CLIENT_SECRET,
    KOMMO_API_URL_TEMPLATE: `${sandbox.url}/a/{subdomain}`,
    KOMMO_CONSENT_URL: `${sandbox.url}/oauth`,
    KOMMO_ACCOUNT_LOOKUP_URL: `${sandbox.url}/central`,
    WIDGET_EXTRA_ORIGINS: sandbox.url,
    OPENAI_BASE_URL: `${sandbox.url}/openai/v1`,
    DIFY_BASE_URL: `${sandbox.url}/dify/v1`,
    CHATBASE_BASE_URL: `${sandbox.url}/chatbase/api`,
    OUTBOUND_ALLOWED_HOSTS: new URL(sandbox.url).host,
    ...(config.workerConcurrency ? { AI_WORKER_CONCURRENCY: config.workerConcurrency } : {}),
  };
}

export async function configureIntegration(sandbox, apiUrl) {
  await sandbox.call('PATCH', '/_sandbox/integration', {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: `${apiUrl}/kommo/oauth/callback`,
    uninstall_hook_url: `${apiUrl}/kommo/uninstall`,
  });
}

/** The built API; `main` and `nodeFlags` let `pnpm bench:ab` start another build or flag set. */
export async function startApi(env, label, { main = API_MAIN, nodeFlags = API_NODE_FLAGS } = {}) {
  const entry = startNode(`api (${label})`, main, {
    cwd: CHILD_CWD,
    env,
    // By default as production starts it (scripts/api-node-flags.mjs).
    nodeFlags,
    logFile: path.join(LOG_DIR, `api-${label}.log`),
    core: pinning.serverCore,
  });
  await waitForHttp(entry, `${env.PUBLIC_URL}/health`);
  return entry;
}

export async function startWorker(env, label) {
  const entry = startNode(`worker (${label})`, API_WORKER, {
    cwd: CHILD_CWD,
    // Its readiness is an info line; BENCH_LOG_LEVEL is for the API's per-request lines.
    env: { ...env, LOG_LEVEL: 'info' },
    logFile: path.join(LOG_DIR, `worker-${label}.log`),
    core: pinning.serverCore,
  });
  await waitForLog(entry, 'worker started');
  return entry;
}

export { stopProcess };

/**
 * Sandbox accounts installed through Kommo's install call (the worker exchanges the code and
 * creates our six lead fields), with the OpenAI key saved through the widget API and the
 * ChatGPT webhook URL read back from it.
 */
export async function installAccounts(config, sandbox, apiUrl, count, tag) {
  const accounts = [];
  for (let i = 0; i < count; i += 1) {
    const account = await sandbox.call('POST', '/_sandbox/accounts', {
      subdomain: `bench${tag}${i}x${Date.now().toString(36)}`,
    });
    await sandbox.call('POST', `/_sandbox/accounts/${account.id}/install`, {});
    accounts.push(account);
  }
  const ids = accounts.map((a) => a.id);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await withDb(
      config,
      async (db) =>
        (
          await db.query(
            `SELECT i.kommo_account_id AS account, i.status,
                    (SELECT count(*)::int FROM installation_fields f WHERE f.installation_id = i.id) AS fields
               FROM installations i WHERE i.kommo_account_id = ANY($1::bigint[])`,
            [ids],
          )
        ).rows,
    );
    if (rows.length === count && rows.every((r) => r.status === 'active' && r.fields >= 6)) break;
    if (Date.now() > deadline) {
      throw new Error(`accounts not installed within 60 s: ${JSON.stringify(rows)}`);
    }
    await sleep(250);
  }
  // A full run sends an e2e account about 2,000 requests; past the trial plan's 200 a month the
  // worker answers the limit message at once, without the provider, which measures nothing.
  await withDb(config, (db) =>
    db.query(
      `UPDATE installations SET plan_id = 'business' WHERE kommo_account_id = ANY($1::bigint[])`,
      [ids],
    ),
  );
  return Promise.all(
    accounts.map(async (account) => {
      const widget = async (method, route, body) => {
        const { token } = await sandbox.call('POST', '/_sandbox/widget-token', {
          account_id: account.id,
        });
        const response = await fetch(`${apiUrl}/widget-api${route}`, {
          method,
          headers: {
            'x-auth-token': token,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`widget ${method} ${route}: ${response.status} ${text}`);
        return JSON.parse(text);
      };
      await widget('PUT', '/providers', { openaiApiKey: OPENAI_KEY });
      const { webhooks } = await widget('GET', '/webhooks');
      const chatgpt = webhooks.find((w) => w.kind === 'chatgpt');
      return {
        id: account.id,
        subdomain: account.subdomain,
        handlerUrl: chatgpt.handlerUrl,
        // Widget-block mode: our salesbot block's widget_request goes here (run 2's widget row).
        widgetRequestUrl: chatgpt.widgetRequestUrl,
      };
    }),
  );
}

/** Leads with a prompt, so the ChatGPT webhook has something to answer. */
export async function createLeads(sandbox, accountId, count) {
  const ids = [];
  for (let start = 0; start < count; start += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, (_, i) =>
        sandbox.call('POST', `/_sandbox/accounts/${accountId}/leads`, {
          name: `Bench lead ${start + i}`,
          fields: { [PROMPT_FIELD]: `Hello, is item ${start + i} in stock?` },
        }),
      ),
    );
    ids.push(...batch.map((lead) => lead.id));
  }
  return ids;
}

/**
 * Registers our key with the fake OpenAI (it accepts only registered keys and `sk-test-…`, so
 * without this every call was a 401 and every answer an error line) and scripts it: echo
 * answers after `latencyMs`.
 */
export async function setProviderLatency(sandbox, latencyMs) {
  await sandbox.call('POST', '/_sandbox/ai/keys', { key: OPENAI_KEY });
  await sandbox.call('PUT', `/_sandbox/ai/scripts/${encodeURIComponent(OPENAI_KEY)}`, {
    answer: { mode: 'echo' },
    latencyMs,
  });
}

/** Offset to add to a sandbox clock reading to get this process's clock (normally ~0). */
export async function sandboxClockOffset(sandbox) {
  const before = Date.now();
  const { now } = await sandbox.call('GET', '/_sandbox/clock');
  const after = Date.now();
  return (before + after) / 2 - now;
}

/** Inbound Kommo API requests the sandbox logged since `since` (sandbox clock, ms). */
export async function kommoRequests(sandbox, filter) {
  const query = new URLSearchParams(
    Object.entries({ direction: 'in', ...filter }).map(([k, v]) => [k, String(v)]),
  );
  const { requests } = await sandbox.call('GET', `/_sandbox/requests?${query}`);
  return requests;
}

/**
 * Lead id → when the sandbox received its first successful PATCH (our answer), in this
 * process's clock. The log records a request when it is answered: subtract its duration.
 */
export async function patchTimes(sandbox, since, offset) {
  const entries = await kommoRequests(sandbox, { method: 'PATCH', since });
  const times = new Map();
  for (const entry of entries) {
    if (entry.status < 200 || entry.status >= 300) continue;
    const received = entry.at - entry.duration_ms + offset;
    const single = /^\/api\/v4\/leads\/(\d+)$/.exec(entry.path);
    const ids = single
      ? [Number(single[1])]
      : Array.isArray(entry.body)
        ? entry.body.map((lead) => Number(lead?.id)).filter(Boolean)
        : [];
    for (const id of ids) {
      const key = `${entry.account_id}:${id}`;
      if (!times.has(key) || times.get(key) > received) times.set(key, received);
    }
  }
  return times;
}
