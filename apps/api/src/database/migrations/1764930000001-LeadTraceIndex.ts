import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

const INDEX = 'ix_ai_requests_lead_recent';

/**
 * The lead card's trace reads one lead's requests newest first, a page at a time
 * (`received_at < before`). The lead indexes there are either partial (pending rows only) or end
 * in `counted_on`, so a lead with thousands of rows would be read whole and sorted for every page;
 * this one walks the lead's rows in order and stops after the page.
 * Built CONCURRENTLY (concurrent-index.ts): a plain build on a large ai_requests would hold off
 * the intake's inserts.
 */
export class LeadTraceIndex1764930000001 implements MigrationInterface {
  name = 'LeadTraceIndex1764930000001';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      queryRunner,
      INDEX,
      'ON ai_requests (installation_id, lead_id, received_at DESC, seq DESC)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "${INDEX}"`);
  }
}
