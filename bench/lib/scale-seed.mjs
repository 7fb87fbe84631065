// Seeding for `pnpm bench:scale`: installed accounts written straight into PostgreSQL (one
// set-based INSERT per table, from arrays), with OAuth tokens the sandbox really issued (so the
// token-refresh job can refresh them) and secrets encrypted as the app encrypts them; then
// millions of ai_requests rows from generate_series, with the table's indexes dropped during the
// load and rebuilt from their own definitions afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './stack.mjs';

const FIELD_KEYS = ['PROMPT', 'MESSAGE', 'ANSWER', 'LOG', 'ANSWER_RECEIVED', 'STOP_BOT'];
const PLANS = ['trial', 'starter', 'pro', 'business'];

/** The first file called `name` under `dir` (the built API's layout moves with its source). */
export function findFile(dir, name) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const hit = findFile(full, name);
      if (hit) return hit;
    } else if (entry.name === name) return full;
  }
  return null;
}

/** The app's SecretBox from the build (found by file name: the source tree moves). */
export async function appSecretBox(encryptionKeys) {
  const file = findFile(path.join(ROOT, 'apps/api/dist'), 'secret-box.js');
  if (!file) throw new Error('apps/api/dist has no secret-box.js: build the API first');
  const { SecretBox } = await import(pathToFileURL(file).href);
  return new SecretBox({ get: () => encryptionKeys });
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  }
  return out;
}

/**
 * Creates `count` sandbox accounts and a token pair for each (the sandbox's control API), so the
 * seeded installations hold tokens Kommo (the sandbox) knows.
 */
export async function sandboxAccounts(sandbox, count, tag) {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return inBatches(indexes, 25, async (i) => {
    const account = await sandbox.call('POST', '/_sandbox/accounts', {
      subdomain: `scale${tag}${i}`,
    });
    const tokens = await sandbox.call('POST', `/_sandbox/accounts/${account.id}/tokens`, {});
    return { ...account, tokens };
  });
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The installation rows of `accounts` in one database, as an install leaves them: active, tokens
 * encrypted under their row's context, six lead fields, both webhook tokens, an OpenAI key, and a
 * plan (trial, starter, pro, business in turn). Returns the fixtures the measurements need.
 */
export async function seedInstallations(db, box, accounts) {
  const rows = accounts.map((account, i) => {
    const id = crypto.randomUUID();
    // As newWebhookToken makes them: 32 random bytes, base64url (43 characters; any other
    // shape is refused before the database is asked).
    const chatgpt = randomBytes(32).toString('base64url');
    const assistant = randomBytes(32).toString('base64url');
    return {
      id,
      kommoAccountId: account.id,
      subdomain: account.subdomain,
      // As an install stores it; the app maps it to the sandbox (KOMMO_API_URL_TEMPLATE).
      host: `${account.subdomain}.kommo.com`,
      userId: account.current_user_id ?? 1,
      plan: PLANS[i % PLANS.length],
      access: box.encrypt(account.tokens.access_token, `installations.access_token:${id}`),
      refresh: box.encrypt(account.tokens.refresh_token, `installations.refresh_token:${id}`),
      expiresAt: new Date(Date.now() + 20 * 3600_000).toISOString(),
      chatgptToken: chatgpt,
      chatgptHash: sha256(chatgpt),
      chatgptEnc: box.encrypt(chatgpt, `webhook_tokens.token:${id}:chatgpt`),
      assistantHash: sha256(assistant),
      assistantEnc: box.encrypt(assistant, `webhook_tokens.token:${id}:assistant`),
      openai: box.encrypt('sk-bench-0123456789abcdef', `provider_settings.openai_api_key:${id}`),
    };
  });
  const col = (name) => rows.map((r) => r[name]);
  await db.query('BEGIN');
  try {
    await db.query(
      `INSERT INTO installations (id, kommo_account_id, subdomain, host, status, plan_id,
                                  access_token_enc, refresh_token_enc, token_expires_at,
                                  token_refreshed_at, installed_at, token_user_id, token_user_is_admin)
       SELECT id, acc, sub, host, 'active', plan, acc_enc, ref_enc, exp, now(), now(), usr, true
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::timestamptz[], $9::bigint[])
              AS t(id, acc, sub, host, plan, acc_enc, ref_enc, exp, usr)`,
      [
        col('id'),
        col('kommoAccountId'),
        col('subdomain'),
        col('host'),
        col('plan'),
        col('access'),
        col('refresh'),
        col('expiresAt'),
        col('userId'),
      ],
    );
    await db.query(
      `INSERT INTO installation_fields (installation_id, key, kommo_field_id, code, name, type)
       SELECT i.id, f.key, 900000 + row_number() OVER (), 'GPT_BRIDGE_' || f.key, f.key, 'textarea'
         FROM unnest($1::uuid[]) AS i(id) CROSS JOIN unnest($2::text[]) AS f(key)`,
      [col('id'), FIELD_KEYS],
    );
    await db.query(
      `INSERT INTO webhook_tokens (installation_id, kind, token_hash, token_enc)
       SELECT id, 'chatgpt', h, e FROM unnest($1::uuid[], $2::bytea[], $3::text[]) AS t(id, h, e)
       UNION ALL
       SELECT id, 'assistant', h, e FROM unnest($1::uuid[], $4::bytea[], $5::text[]) AS t(id, h, e)`,
      [col('id'), col('chatgptHash'), col('chatgptEnc'), col('assistantHash'), col('assistantEnc')],
    );
    await db.query(
      `INSERT INTO provider_settings (installation_id, openai_api_key_enc)
       SELECT * FROM unnest($1::uuid[], $2::text[])`,
      [col('id'), col('openai')],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
  return rows.map((r) => ({
    installationId: r.id,
    kommoAccountId: r.kommoAccountId,
    subdomain: r.subdomain,
    tokenHash: r.chatgptHash.toString('hex'),
    chatgptToken: r.chatgptToken,
  }));
}

/**
 * `total` ai_requests rows over every installation, `chunk` rows per statement, received over
 * the last 90 days: mostly done, some failed, duplicate, rejected and refused, and one in a
 * million still queued (a lost job: the sweeper's work). `usage_daily` is then rebuilt from the counted
 * rows. Indexes are dropped for the load and recreated from pg_indexes (the migrations' own).
 */
export async function seedRequests(db, total, { chunk = 500_000, log }) {
  const { rows: indexes } = await db.query(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE tablename = 'ai_requests' AND indexname NOT IN (
        SELECT conname FROM pg_constraint WHERE conrelid = 'ai_requests'::regclass)`,
  );
  for (const index of indexes) await db.query(`DROP INDEX "${index.indexname}"`);
  await db.query('SET synchronous_commit = off');
  const started = Date.now();
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await db.query(
      `WITH inst AS (
         SELECT id, timezone, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
           FROM installations)
       INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status, params,
                                provider, model, attempts, latency_ms, input_tokens, output_tokens,
                                total_tokens, reached_provider, error_class, error_message,
                                log_line, answer, received_at, started_at, answered_at,
                                finished_at, quota_passed, counted_on, provider_asks)
       SELECT i.id, CASE WHEN g % 3 = 0 THEN 'assistant' ELSE 'chatgpt' END,
              CASE WHEN g % 5 = 0 THEN 'widget' ELSE 'classic' END,
              -- about 200 leads per account, each with many requests over the months
              10000000 + (g / i.total) % 200,
              'body:' || md5(g::text), s.status, '{"leadFields":{}}'::jsonb,
              'openai', 'gpt-4o-mini', 1, 900 + g % 700, 120, 60, 180,
              s.status = 'done', CASE WHEN s.status = 'failed' THEN 'provider_timeout' END,
              CASE WHEN s.status = 'failed' THEN 'the provider did not answer in time' END,
              CASE WHEN s.status = 'failed' THEN 'ERROR OpenAI: timeout' ELSE 'OK' END,
              CASE WHEN s.status = 'done' THEN 'Yes, we ship to Lisbon in two days.' END,
              r.at, r.at, r.at + interval '1 second', r.at + interval '2 seconds',
              s.status = 'done', CASE WHEN s.status = 'done' THEN (r.at AT TIME ZONE i.timezone)::date END,
              CASE WHEN s.status IN ('done', 'failed') THEN 1 ELSE 0 END
         FROM generate_series($1::bigint, $2::bigint) AS g
         JOIN inst i ON i.n = g % i.total
         CROSS JOIN LATERAL (SELECT now() - interval '90 days' * ((g * 7919) % 1000000) / 1000000.0
                                    - interval '1 minute' AS at) r
         CROSS JOIN LATERAL (SELECT CASE
                   WHEN g % 1000000 = 0 THEN 'queued'
                   WHEN g % 100 < 4 THEN 'failed'
                   WHEN g % 100 < 7 THEN 'duplicate'
                   WHEN g % 100 < 8 THEN 'rejected'
                   WHEN g % 100 < 9 THEN 'refused'
                   ELSE 'done' END AS status) s`,
      [from, to],
    );
    log?.(
      `  seeded ${to.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows (${Math.round((Date.now() - started) / 1000)} s)`,
    );
  }
  await db.query(
    `INSERT INTO usage_daily (installation_id, day, kind, requests, tokens)
     SELECT installation_id, counted_on, kind, count(*), sum(coalesce(total_tokens, 0))
       FROM ai_requests WHERE counted_on IS NOT NULL
      GROUP BY installation_id, counted_on, kind`,
  );
  const rebuild = Date.now();
  await db.query(`SET maintenance_work_mem = '256MB'`);
  for (const index of indexes) await db.query(index.indexdef);
  log?.(`  rebuilt ${indexes.length} indexes in ${Math.round((Date.now() - rebuild) / 1000)} s`);
  await db.query('SET synchronous_commit = on');
  await db.query('VACUUM ANALYZE ai_requests');
  await db.query('VACUUM ANALYZE usage_daily');
  return { seconds: Math.round((Date.now() - started) / 1000), indexes: indexes.length };
}
