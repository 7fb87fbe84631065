import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InstallationTokensAndFields1764000000000 implements MigrationInterface {
  name = 'InstallationTokensAndFields1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Tokens are stored only as AES-256-GCM envelopes that name their key ("gcm1:<keyId>:...").
    await queryRunner.query(`
      ALTER TABLE "installations"
        ADD COLUMN "language" text NOT NULL DEFAULT 'en',
        ADD COLUMN "access_token_enc" text,
        ADD COLUMN "refresh_token_enc" text,
        ADD COLUMN "token_expires_at" timestamptz,
        ADD COLUMN "token_refreshed_at" timestamptz,
        ADD COLUMN "auth_error" text,
        ADD COLUMN "installed_at" timestamptz,
        ADD COLUMN "disabled_at" timestamptz
    `);
    await queryRunner.query(`
      CREATE TABLE "installation_fields" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "key" text NOT NULL,
        "kommo_field_id" bigint NOT NULL,
        "code" text NOT NULL,
        "name" text NOT NULL,
        "type" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_installation_fields_key" UNIQUE ("installation_id", "key")
      )
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "installation_fields"`);
    await queryRunner.query(`
      ALTER TABLE "installations"
        DROP COLUMN "language",
        DROP COLUMN "access_token_enc",
        DROP COLUMN "refresh_token_enc",
        DROP COLUMN "token_expires_at",
        DROP COLUMN "token_refreshed_at",
        DROP COLUMN "auth_error",
        DROP COLUMN "installed_at",
        DROP COLUMN "disabled_at"
    `);
  }
}
