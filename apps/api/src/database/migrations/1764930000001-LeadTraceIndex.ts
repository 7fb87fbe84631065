import { type MigrationInterface, type QueryRunner } from 'typeorm';

const INDEX = 'ix_ai_requests_lead_recent';

/**
 * The lead card's trace reads one lead's requests newest first, a page at a time
 * (`received_at < before`). The lead indexes there are either partial (pending rows only) or end
 * in `counted_on`, so a lead with thousands of rows would be read whole and sorted for every page;
 * this one walks the lead's rows in order and stops after the page.
 * Built CONCURRENTLY, outside a transaction, like RetentionIndexes: a plain build on a large
 * ai_requests would hold off the intake's inserts; an invalid leftover is dropped and built again.
 */
export class LeadTraceIndex1764930000001 implements MigrationInterface {
  name = 'LeadTraceIndex1764930000001';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const invalid = (await queryRunner.query(
      `SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
        WHERE c.relname = $1 AND NOT x.indisvalid`,
      [INDEX],
    )) as unknown[];
    if (invalid.length > 0) await queryRunner.query(`DROP INDEX CONCURRENTLY "${INDEX}"`);
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${INDEX}"
         ON ai_requests (installation_id, lead_id, received_at DESC, seq DESC)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "${INDEX}"`);
  }
}
