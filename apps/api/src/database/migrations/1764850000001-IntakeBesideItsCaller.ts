import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { DEDUPE_RULE, intakeFunction } from './1764600000000-DedupeOnlyWhileQueued';

/**
 * The widget_request's ack is stored by the same two statements as the classic webhook's
 * (apps/api/src/domain/requests/intake-batch-sql.ts), so the last intake function goes: no intake
 * SQL lives in a migration any more.
 */
export class IntakeBesideItsCaller1764850000001 implements MigrationInterface {
  name = 'IntakeBesideItsCaller1764850000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION ai_intake(uuid, text, text, bigint, text, jsonb, integer)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(intakeFunction(DEDUPE_RULE));
  }
}
