import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ProviderAsks1764710000000 implements MigrationInterface {
  name = 'ProviderAsks1764710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // How many times the provider step began for a request. More than one means a worker died
    // after asking and before the outcome was stored, and the provider was asked (and may have
    // charged) again: the admin panel counts these re-asks (docs/architecture.md, "Retries").
    await queryRunner.query(
      `ALTER TABLE "ai_requests" ADD COLUMN "provider_asks" integer NOT NULL DEFAULT 0`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ai_requests" DROP COLUMN "provider_asks"`);
  }
}
