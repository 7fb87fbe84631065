// Every ack's store (RequestsRepository.intakeBatch, fed by IntakeBatcher, for the classic webhook
// and the widget_request alike): two set-based statements in one transaction, in one round trip.
// $1 is the batch: a JSON array of {h: token hash (hex), m: mode, l: lead id, k: delivery key,
// p: params, w: dedupe window (s)}; results name items by `idx` (1-based). They replaced a
// PL/pgSQL loop running five statements per webhook (migrations SetBasedIntake and
// IntakeBesideItsCaller dropped the functions).
//
// Why two statements: a twin delivery stored by another API process must be seen. Each item's
// advisory lock on (installation, key) serializes twins, and the lookup must run on a snapshot
// taken after the lock was granted; a single statement's snapshot is taken before its locks.
//
// Why one round trip: the batcher stores one batch at a time, so every round trip of a batch is
// waited for by every webhook behind it. BEGIN, two statements and COMMIT sent one by one doubled
// the ack's p50 at 500/s against the function call they replaced (docs/scaling.md). Both
// statements are prepared once per connection (their plans are kept, as PL/pgSQL kept the
// function's) and run as one simple query, which PostgreSQL runs as one implicit transaction,
// each statement on its own snapshot.

/**
 * Statement 1: the transaction locks of every stored item (active installations only, each found
 * by its token's unique index), in one order (installation:key), so two batches that share keys
 * cannot deadlock. PostgreSQL computes a
 * volatile select list after the ORDER BY, so the locks are taken in that order.
 */
export const INTAKE_LOCKS_SQL = `
  SELECT pg_advisory_xact_lock(hashtextextended(k.lock_key, 0))
    FROM (SELECT DISTINCT t.installation_id::text || ':' || (e.value->>'k') AS lock_key
            FROM jsonb_array_elements($1::jsonb) e
            CROSS JOIN LATERAL (
              SELECT w.installation_id FROM webhook_tokens w
                JOIN installations i ON i.id = w.installation_id AND i.status = 'active'
               WHERE w.token_hash = decode(e.value->>'h', 'hex') LIMIT 1) t) k
   ORDER BY k.lock_key`;

// The dedupe lookup (`prior` below) names only what ix_ai_requests_delivery_key (delivery_key,
// installation_id, received_at) can use: the key's equality and one row comparison led by it. The
// account is compared with IS NOT DISTINCT FROM (no index can use it) and the oldest row is picked
// by an aggregate, not ORDER BY … LIMIT 1, so no other index can serve the lookup or its order. The
// statement is prepared, and its plan is made once, often on a near-empty table (a new database):
// written plainly, with the account's equality and the window's range, every index on
// installation_id looked as cheap there, PostgreSQL 15 took ix_ai_requests_recent and kept it
// while the table grew, reading every row of the account inside the window for each item: 63 ms
// per batch of 30 at 19,000 rows, against 2.8 ms (docs/scaling.md, "The ack's plan").

/**
 * Statement 2, on a snapshot after the locks: every item's token, and for the active ones the
 * stored row or its duplicate's id. The dedupe rule is migration DedupeOnlyWhileQueued's: the
 * oldest earlier delivery of the key within the window, not rejected and itself no duplicate; a
 * content key (`body:`) collapses only into one still `queued`, of the same webhook and lead.
 * Within the batch, an item whose key found nothing in the table collapses into the batch's first
 * item of its group (same installation and key, and for a content key the same webhook and lead),
 * as the earlier one-by-one loop saw it. Rows are inserted in arrival order (seq).
 */
export const INTAKE_BATCH_SQL = `
  WITH item AS (
    SELECT e.ordinality::integer AS idx, decode(e.value->>'h', 'hex') AS token_hash,
           e.value->>'m' AS mode, (e.value->>'l')::bigint AS lead_id, e.value->>'k' AS key,
           e.value->'p' AS params, (e.value->>'w')::integer AS window_seconds
      FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY e
  ), target AS (
    -- A lookup per item by the token's unique index (LIMIT 1 keeps the subquery per item):
    -- joined as sets, the planner guessed 100 items and hashed every account's webhook tokens
    -- for each batch.
    SELECT item.*, t.installation_id, t.kind, t.status
      FROM item
      LEFT JOIN LATERAL (
        SELECT w.installation_id, w.kind, i.status
          FROM webhook_tokens w JOIN installations i ON i.id = w.installation_id
         WHERE w.token_hash = item.token_hash LIMIT 1) t ON true
  ), found AS (
    SELECT a.*, gen_random_uuid() AS new_id,
           -- Only the ChatGPT webhook keeps ?model= and ?tokens=.
           CASE WHEN a.kind = 'chatgpt' THEN a.params ELSE a.params - 'model' - 'tokens' END AS kept,
           left(a.key, 5) = 'body:' AS content_key,
           -- Written so that one index alone can serve it (the note above).
           (SELECT (array_agg(r.id ORDER BY r.received_at))[1] FROM ai_requests r
             WHERE r.delivery_key = a.key
               AND (r.delivery_key, r.installation_id, r.received_at)
                   > (a.key, a.installation_id, now() - make_interval(secs => a.window_seconds))
               AND r.installation_id IS NOT DISTINCT FROM a.installation_id
               AND r.duplicate_of IS NULL AND r.status <> 'rejected'
               AND (left(a.key, 5) <> 'body:'
                    OR (r.status = 'queued' AND r.kind = a.kind AND r.lead_id = a.lead_id))) AS prior
      FROM target a
     WHERE a.status = 'active'
  ), decided AS (
    SELECT f.*,
           coalesce(f.prior, nullif(first_value(f.new_id) OVER (
             PARTITION BY f.installation_id, f.key,
                          CASE WHEN f.content_key THEN f.kind END,
                          CASE WHEN f.content_key THEN f.lead_id END,
                          f.prior IS NULL
             ORDER BY f.idx), f.new_id)) AS duplicate_of
      FROM found f
  ), stored AS (
    INSERT INTO ai_requests
      (id, installation_id, kind, mode, lead_id, delivery_key, params, status, duplicate_of)
    SELECT d.new_id, d.installation_id, d.kind, d.mode, d.lead_id, d.key, d.kept,
           CASE WHEN d.duplicate_of IS NULL THEN 'queued' ELSE 'duplicate' END, d.duplicate_of
      FROM decided d
     ORDER BY d.idx
    RETURNING id
  )
  SELECT t.idx, t.installation_id, t.kind, t.status, d.new_id AS request_id, d.duplicate_of
    FROM target t
    LEFT JOIN decided d ON d.idx = t.idx`;

/** Run once on a connection before its first intake; the names are ours alone. */
export const INTAKE_PREPARE_SQL = `
  PREPARE gb_intake_locks(jsonb) AS ${INTAKE_LOCKS_SQL};
  PREPARE gb_intake_batch(jsonb) AS ${INTAKE_BATCH_SQL}`;

/**
 * Both statements as one simple query (simple queries take no parameters, so the batch is a
 * literal, quoted by the driver's `escapeLiteral`); the second result holds the rows.
 */
export function intakeExecuteSql(batchLiteral: string): string {
  return `EXECUTE gb_intake_locks(${batchLiteral}); EXECUTE gb_intake_batch(${batchLiteral})`;
}
