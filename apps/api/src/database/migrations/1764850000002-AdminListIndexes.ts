import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

// The admin panel's request list filtered by a status that ends a request without an answer
// (failed, refused, rejected, duplicate: what support looks for), across accounts or within one,
// newest first. At 5 million rows (`pnpm bench:scale`, 2026-12-07) "status failed" walked the
// received_at index past 19,804 other rows for 50 failed ones (1.3 → 13 ms against the empty
// table), and "one account, kind and status, last 7 days" read the account's 36,000 rows of the
// week (0.4 → 2.7 ms); with these, 2.3–3.8 ms (51 scattered heap rows) and 0.2–0.6 ms on the same
// table. Partial: the answered path (queued → processing → answered → done) never writes them, so
// the intake and the worker pay nothing; at 5 million rows they take 15 and 23 MB. A status in the
// list is a literal in each plan (unnamed statements are planned with their values), so the
// planner can match the predicate.
const ENDED_UNANSWERED = `WHERE status IN ('failed', 'refused', 'rejected', 'duplicate')`;

const INDEXES = [
  {
    name: 'ix_ai_requests_status_recent',
    sql: `ON ai_requests (status, received_at DESC) ${ENDED_UNANSWERED}`,
  },
  {
    name: 'ix_ai_requests_account_status',
    sql: `ON ai_requests (installation_id, status, received_at DESC) ${ENDED_UNANSWERED}`,
  },
];

export class AdminListIndexes1764850000002 implements MigrationInterface {
  name = 'AdminListIndexes1764850000002';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of INDEXES) await createIndexConcurrently(queryRunner, index.name, index.sql);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of INDEXES) await queryRunner.query(`DROP INDEX IF EXISTS "${index.name}"`);
  }
}
