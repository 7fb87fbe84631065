import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

const INDEXES = [
  // The retention job's scan: finished requests whose texts are still there, oldest first. Only
  // rows younger than RETENTION_DAYS (plus the backlog of a first run) are in it, so it stays
  // small however long ai_requests grows; and the intake's insert (a `queued` row) does not
  // write to it: a row enters when it finishes.
  {
    name: 'ix_ai_requests_texts_kept',
    sql: `ON ai_requests (received_at)
          WHERE texts_removed_at IS NULL AND status NOT IN ('queued', 'processing', 'answered')`,
  },
  // Conversation memory untouched for RETENTION_DAYS is forgotten.
  { name: 'ix_lead_conversations_updated', sql: `ON lead_conversations (updated_at)` },
];

/** Built CONCURRENTLY (concurrent-index.ts): ai_requests may be large by then. */
export class RetentionIndexes1764800000001 implements MigrationInterface {
  name = 'RetentionIndexes1764800000001';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of INDEXES) await createIndexConcurrently(queryRunner, index.name, index.sql);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [...INDEXES].reverse()) {
      await queryRunner.query(`DROP INDEX IF EXISTS "${index.name}"`);
    }
  }
}
