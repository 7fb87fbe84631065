import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Retention (docs/architecture.md, "Retention"): customer texts are removed from requests after
// RETENTION_DAYS, and an uninstalled account's personal data after UNINSTALL_PURGE_DAYS.
export class Retention1764800000000 implements MigrationInterface {
  name = 'Retention1764800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // When a request's texts (answer, LOG line, error message, the lead's fields and the block's
    // data in params) were removed, by the retention job or a lead erase. The row, its status,
    // tokens, latency and error class stay; a set value also keeps the job from visiting it again.
    await queryRunner.query(`ALTER TABLE ai_requests ADD COLUMN texts_removed_at timestamptz`);
    // The uninstall hook sets uninstalled_at (a disable in the admin panel does not); a reinstall
    // clears it. purged_at: the grace period ended and the personal data went.
    await queryRunner.query(`
      ALTER TABLE installations
        ADD COLUMN uninstalled_at timestamptz,
        ADD COLUMN purged_at timestamptz`);
    // Accounts uninstalled before this column existed: the hook left them disabled and without
    // tokens (an admin's disable keeps the tokens).
    await queryRunner.query(`
      UPDATE installations SET uninstalled_at = coalesce(disabled_at, updated_at)
       WHERE status = 'disabled' AND access_token_enc IS NULL AND refresh_token_enc IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE installations DROP COLUMN purged_at, DROP COLUMN uninstalled_at`,
    );
    await queryRunner.query(`ALTER TABLE ai_requests DROP COLUMN texts_removed_at`);
  }
}
