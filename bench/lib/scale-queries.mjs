// The statements `pnpm bench:scale` times on an empty and on a full ai_requests: the intake's
// imported from the build, the others copies of the app's own SQL, each with an `anchor`, a verbatim piece of the statement that must still be
// found somewhere under apps/api/src (checkAnchors), so a changed query in the app fails the run
// instead of the bench measuring an old one. Parameters come from the seeded fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFile } from './scale-seed.mjs';
import { ROOT } from './stack.mjs';

// The admin list's select (admin-requests.service.ts, `SELECT`), joined as the app joins it.
const ADMIN_SELECT = `SELECT r.id, r.installation_id, i.subdomain, i.kommo_account_id, r.kind, r.mode,
       r.lead_id, r.status, r.provider, r.model, r.latency_ms, r.input_tokens, r.output_tokens,
       r.total_tokens, r.error_class, r.error_message, r.log_line, r.attempts, r.received_at,
       r.finished_at, r.replay_of, r.duplicate_of, r.texts_removed_at
  FROM ai_requests r JOIN installations i ON i.id = r.installation_id`;

const COLUMNS = `id, seq, installation_id, kind, mode, lead_id, status, params, attempts, provider,
  model, answer, log_line, error_class, error_message, reached_provider, stop_bot, received_at`;

const HELD_LEAD_LOCKS_SQL = `
  SELECT (l.classid::bigint << 32) | l.objid::bigint AS key
    FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
const LEAD_LOCK_SQL = `hashtextextended('lead:' || installation_id::text || ':' || lead_id::text, 0)`;

/**
 * One webhook's path through the database, in the order the app runs it: the ack's intake
 * statement, the worker's claim (lead lock, the lead's oldest pending row, the claim), the quota
 * check (its whole transaction) and the finish (so pending rows do not pile up between samples).
 * `ctx` = { installationId, tokenHash (hex), leadId, deliveryKey }.
 */
export const PIPELINE = [
  {
    name: 'ack: intake of a batch of 1 (its one round trip: key locks, lookup and insert)',
    key: 'intake',
    anchor: 'const sql = intakeExecuteSql(client.escapeLiteral(JSON.stringify(payload)));',
    run: async (db, ctx) => {
      const json = JSON.stringify([
        { h: ctx.tokenHash, m: 'classic', l: ctx.leadId, k: ctx.deliveryKey, p: {}, w: 600 },
      ]);
      // As the app: both statements prepared once per connection, then one simple query.
      if (!prepared.has(db)) {
        await db.query(appSql.INTAKE_PREPARE_SQL);
        prepared.add(db);
      }
      const results = await db.query(appSql.intakeExecuteSql(db.escapeLiteral(json)));
      ctx.requestId = results[1].rows[0]?.request_id;
      if (!ctx.requestId) throw new Error('the intake stored nothing');
    },
  },
  {
    name: "worker's claim: lead lock",
    key: 'leadLock',
    anchor: 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    run: async (db, ctx) => {
      const key = `lead:${ctx.installationId}:${ctx.leadId}`;
      await db.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      ctx.lockKey = key;
    },
  },
  {
    name: "worker's claim: the lead's oldest pending request (nextPending)",
    key: 'nextPending',
    anchor: "AND status IN ('queued', 'processing', 'answered')\n        ORDER BY seq LIMIT 1",
    sql: `SELECT ${COLUMNS} FROM ai_requests
        WHERE installation_id = $1 AND lead_id = $2
          AND status IN ('queued', 'processing', 'answered')
        ORDER BY seq LIMIT 1`,
    params: (ctx) => [ctx.installationId, ctx.leadId],
  },
  {
    name: "worker's claim: the claim (UPDATE … attempts + 1)",
    key: 'claim',
    anchor: "SET status = CASE WHEN status = 'queued' THEN 'processing' ELSE status END",
    sql: `UPDATE ai_requests
          SET status = CASE WHEN status = 'queued' THEN 'processing' ELSE status END,
              attempts = attempts + 1, started_at = coalesce(started_at, now())
        WHERE id = $1 AND status IN ('queued', 'processing', 'answered')
        RETURNING attempts`,
    params: (ctx) => [ctx.requestId],
  },
  {
    name: 'quota check (its transaction: lock, allowance, month used, in flight, lead today, mark)',
    key: 'quota',
    anchor: 'coalesce(sum(cost_usd), 0)::float8 AS cost',
    run: async (db, ctx) => {
      await db.query('BEGIN');
      try {
        await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `quota:${ctx.installationId}`,
        ]);
        const [allowance] = (await db.query(QUOTA_ALLOWANCE, [ctx.installationId, ctx.at, null]))
          .rows;
        await db.query(QUOTA_USED, [
          ctx.installationId,
          allowance.month_start,
          allowance.next_month_start,
        ]);
        await db.query(QUOTA_IN_FLIGHT, [ctx.installationId, ctx.requestId, ctx.leadId]);
        await db.query(QUOTA_LEAD_TODAY, [ctx.installationId, ctx.leadId, allowance.today]);
        await db.query(`UPDATE ai_requests SET quota_passed = true WHERE id = $1`, [ctx.requestId]);
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
    },
  },
  {
    name: 'finish (done; usage_daily counted in the same transaction)',
    key: 'finish',
    anchor: "CASE WHEN $2 = 'done' AND r.reached_provider",
    run: async (db, ctx) => {
      await db.query('BEGIN');
      try {
        await db.query(
          `UPDATE ai_requests r
              SET status = $2, finished_at = now(),
                  counted_on = CASE WHEN $2 = 'done' AND r.reached_provider
                                    THEN ($3::timestamptz AT TIME ZONE i.timezone)::date END
             FROM installations i
            WHERE r.id = $1 AND i.id = r.installation_id
              AND r.status IN ('queued', 'processing', 'answered')
            RETURNING r.installation_id`,
          [ctx.requestId, 'done', ctx.at],
        );
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
      await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [ctx.lockKey]);
    },
  },
];

const QUOTA_ALLOWANCE = `WITH local AS (
         SELECT i.*, ($2::timestamptz AT TIME ZONE i.timezone) AS local_now
           FROM installations i WHERE i.id = $1)
       SELECT l.timezone, p.id AS plan_id, p.name AS plan_name,
              coalesce(l.monthly_requests_override, p.monthly_requests) AS monthly,
              l.lead_daily_cap,
              to_char(coalesce($3::date, date_trunc('month', l.local_now)::date), 'YYYY-MM-DD') AS month_start,
              to_char((coalesce($3::date, date_trunc('month', l.local_now)::date) + interval '1 month')::date, 'YYYY-MM-DD') AS next_month_start,
              to_char(l.local_now::date, 'YYYY-MM-DD') AS today
         FROM local l JOIN plans p ON p.id = l.plan_id`;
const QUOTA_USED = `SELECT sum(requests) AS used FROM usage_daily
        WHERE installation_id = $1 AND day >= $2::date AND day < $3::date`;
const QUOTA_IN_FLIGHT = `SELECT count(*) AS all, count(*) FILTER (WHERE lead_id = $3) AS lead,
              coalesce(sum(cost_usd), 0)::float8 AS cost
         FROM ai_requests
          WHERE installation_id = $1 AND id <> $2 AND quota_passed
            AND (status = 'processing' OR (status = 'answered' AND reached_provider))`;
const QUOTA_LEAD_TODAY = `SELECT count(*) AS n FROM ai_requests
            WHERE installation_id = $1 AND lead_id = $2 AND counted_on = $3::date`;

/**
 * Read-only statements, timed alone. `params(ctx)` with ctx = { installationId, subdomain,
 * leadId, at }. The quota's two ai_requests counts are here too, for their plans.
 */
export const READS = [
  {
    name: 'sweeper: stale pending leads (stalePending, 15 s, limit 500)',
    key: 'sweeper',
    anchor: 'SELECT DISTINCT ON (installation_id, lead_id) installation_id, lead_id, id',
    sql: `WITH held AS MATERIALIZED (${HELD_LEAD_LOCKS_SQL})
       SELECT DISTINCT ON (installation_id, lead_id) installation_id, lead_id, id
         FROM ai_requests
        WHERE status IN ('queued', 'processing', 'answered')
          AND received_at < now() - make_interval(secs => $1)
          AND ${LEAD_LOCK_SQL} NOT IN (SELECT key FROM held)
        ORDER BY installation_id, lead_id, seq
        LIMIT $2`,
    params: () => [15, 500],
  },
  {
    name: 'quota: requests in flight (count)',
    key: 'quotaInFlight',
    anchor: "AND (status = 'processing' OR (status = 'answered' AND reached_provider))",
    sql: QUOTA_IN_FLIGHT,
    params: (ctx) => [ctx.installationId, '00000000-0000-4000-8000-000000000000', ctx.leadId],
  },
  {
    name: "quota: the lead's requests today (count)",
    key: 'quotaLeadToday',
    anchor: 'WHERE installation_id = $1 AND lead_id = $2 AND counted_on = $3::date',
    sql: QUOTA_LEAD_TODAY,
    params: (ctx) => [ctx.installationId, ctx.leadId, ctx.at.slice(0, 10)],
  },
  {
    name: 'admin request list: no filter (newest 50)',
    key: 'adminAll',
    anchor: 'ORDER BY r.received_at DESC, r.seq DESC LIMIT $',
    sql: `${ADMIN_SELECT}  ORDER BY r.received_at DESC, r.seq DESC LIMIT $1`,
    params: () => [50],
  },
  {
    name: 'admin request list: one account (by subdomain: its installation ids, then its rows)',
    key: 'adminAccount',
    anchor: 'SELECT id FROM installations WHERE subdomain = $1',
    sql: `${ADMIN_SELECT} WHERE r.installation_id = $1::uuid ORDER BY r.received_at DESC, r.seq DESC LIMIT $2`,
    params: (ctx) => [ctx.installationId, 50],
    run: async (db, ctx) => {
      const { rows } = await db.query('SELECT id FROM installations WHERE subdomain = $1', [
        ctx.subdomain,
      ]);
      await db.query(
        `${ADMIN_SELECT} WHERE r.installation_id = $1::uuid ORDER BY r.received_at DESC, r.seq DESC LIMIT $2`,
        [rows[0].id, 50],
      );
    },
  },
  {
    name: 'admin request list: status failed',
    key: 'adminFailed',
    anchor: 'r.status = ${p}',
    sql: `${ADMIN_SELECT} WHERE r.status = $1 ORDER BY r.received_at DESC, r.seq DESC LIMIT $2`,
    params: () => ['failed', 50],
  },
  {
    name: 'admin request list: one account, kind and status, last 7 days',
    key: 'adminNarrow',
    anchor: 'r.received_at >= ${p}',
    sql: `${ADMIN_SELECT} WHERE r.installation_id = $1::uuid AND r.kind = $2 AND r.status = $3
            AND r.received_at >= $4 AND r.received_at < $5
          ORDER BY r.received_at DESC, r.seq DESC LIMIT $6`,
    params: (ctx) => [
      ctx.installationId,
      'chatgpt',
      'failed',
      new Date(Date.parse(ctx.at) - 7 * 86_400_000).toISOString(),
      ctx.at,
      50,
    ],
  },
  {
    name: 'token refresh job: installations due',
    key: 'refreshDue',
    anchor:
      "WHERE status = 'active' AND token_expires_at < now() + ($1 || ' milliseconds')::interval",
    sql: `SELECT id FROM installations
        WHERE status = 'active' AND token_expires_at < now() + ($1 || ' milliseconds')::interval`,
    params: () => [String(2 * 60 * 60_000)],
  },
];

// The intake's SQL is imported from the build (not copied): loadAppSql() fills it.
const appSql = {};
/** The connections on which the intake's statements are prepared. */
const prepared = new WeakSet();

/** The built API's intake statements (found by file name: the source tree moves). */
export async function loadAppSql() {
  const file = findFile(path.join(ROOT, 'apps/api/dist'), 'intake-batch-sql.js');
  if (!file) throw new Error('apps/api/dist has no intake-batch-sql.js: build the API first');
  const { INTAKE_BATCH_SQL, INTAKE_PREPARE_SQL, intakeExecuteSql } = await import(
    pathToFileURL(file).href
  );
  Object.assign(appSql, { INTAKE_BATCH_SQL, INTAKE_PREPARE_SQL, intakeExecuteSql });
  return appSql;
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(full);
  }
  return files;
}

/** Throws unless every anchor is still in the app's source; returns where each was found. */
export function checkAnchors() {
  const files = sourceFiles(path.join(ROOT, 'apps/api/src')).map((file) => ({
    file: path.relative(ROOT, file),
    text: readFileSync(file, 'utf8'),
  }));
  const found = {};
  const missing = [];
  for (const query of [...PIPELINE, ...READS]) {
    const hit = files.find((f) => f.text.includes(query.anchor));
    if (hit) found[query.key] = hit.file;
    else missing.push(`${query.key} (${JSON.stringify(query.anchor)})`);
  }
  if (missing.length > 0) {
    throw new Error(
      `the app's SQL changed; update bench/lib/scale-queries.mjs for: ${missing.join(', ')}`,
    );
  }
  return found;
}
