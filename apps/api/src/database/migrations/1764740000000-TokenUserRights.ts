import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Who authorized the stored OAuth token and whether that user is an account administrator
// (docs/architecture.md, "Who authorized"): Kommo lets any user authorize, but creating fields
// and continuing salesbots need an admin's token. NULL = not known (installed before this).
export class TokenUserRights1764740000000 implements MigrationInterface {
  name = 'TokenUserRights1764740000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE installations
        ADD COLUMN token_user_id bigint,
        ADD COLUMN token_user_is_admin boolean`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE installations DROP COLUMN token_user_is_admin, DROP COLUMN token_user_id`);
  }
}
