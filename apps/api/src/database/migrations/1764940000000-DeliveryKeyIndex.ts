import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

// The intake's dedupe lookup gets an index led by the delivery key, which it alone can use
// (intake-batch-sql.ts, the note above statement 2). The index it replaces, led by
// installation_id like four others, lost to ix_ai_requests_recent in plans made on a near-empty
// table, and a prepared statement keeps such a plan while the table grows.
const OLD = {
  name: 'ix_ai_requests_delivery',
  sql: 'ON ai_requests (installation_id, delivery_key, received_at)',
};
const NEW = {
  name: 'ix_ai_requests_delivery_key',
  sql: 'ON ai_requests (delivery_key, installation_id, received_at)',
};

export class DeliveryKeyIndex1764940000000 implements MigrationInterface {
  name = 'DeliveryKeyIndex1764940000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(queryRunner, NEW.name, NEW.sql);
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "${OLD.name}"`);
  }

  // Plain statements: a revert may run inside a transaction.
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "${OLD.name}" ${OLD.sql}`);
    await queryRunner.query(`DROP INDEX IF EXISTS "${NEW.name}"`);
  }
}
