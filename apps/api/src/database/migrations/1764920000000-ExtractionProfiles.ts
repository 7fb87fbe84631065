import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ExtractionProfiles1764920000000 implements MigrationInterface {
  name = 'ExtractionProfiles1764920000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Issue 23: what `?extract=<name>` asks for, per account; removed with the installation row.
    await queryRunner.query(`
      CREATE TABLE "extraction_profiles" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "installation_id" uuid NOT NULL REFERENCES "installations"("id") ON DELETE CASCADE,
        "name" text NOT NULL,
        "items" jsonb NOT NULL,
        "rules" jsonb NOT NULL DEFAULT '[]',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_extraction_profiles" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_extraction_profiles_name" UNIQUE ("installation_id", "name")
      )`);
    // A request's extraction as the lead-card trace shows it (LeadExtractionTrace), and what the
    // delivery sends for it, stored with the outcome so a retried delivery sends the same. Both
    // quote the customer, so retention removes them with the other texts.
    await queryRunner.query(`ALTER TABLE "ai_requests" ADD COLUMN "extraction" jsonb`);
    await queryRunner.query(`ALTER TABLE "ai_requests" ADD COLUMN "extraction_writes" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ai_requests" DROP COLUMN "extraction_writes"`);
    await queryRunner.query(`ALTER TABLE "ai_requests" DROP COLUMN "extraction"`);
    await queryRunner.query(`DROP TABLE "extraction_profiles"`);
  }
}
