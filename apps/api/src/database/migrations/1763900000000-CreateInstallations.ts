import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateInstallations1763900000000 implements MigrationInterface {
  name = 'CreateInstallations1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Keyed by Kommo's account id: a subdomain can be renamed, the account id cannot.
    await queryRunner.query(`
      CREATE TABLE "installations" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "kommo_account_id" bigint NOT NULL,
        "subdomain" text NOT NULL,
        "host" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending'
          CHECK ("status" IN ('pending', 'active', 'auth_failed', 'disabled')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_installations_kommo_account_id" UNIQUE ("kommo_account_id")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "ix_installations_subdomain" ON "installations" ("subdomain")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "installations"`);
  }
}
