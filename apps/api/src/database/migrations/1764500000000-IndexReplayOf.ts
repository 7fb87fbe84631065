import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class IndexReplayOf1764500000000 implements MigrationInterface {
  name = 'IndexReplayOf1764500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // `replay_of` references ai_requests ON DELETE SET NULL: without an index, deleting N
    // requests (an uninstall's cascade, a retention job) scans the table once per row. Found by
    // `pnpm bench`, whose cleanup of 75k rows did not finish in 15 minutes. Few rows are
    // replays, so the index holds only those.
    await queryRunner.query(
      `CREATE INDEX "ix_ai_requests_replay_of" ON "ai_requests" ("replay_of") WHERE "replay_of" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_ai_requests_replay_of"`);
  }
}
