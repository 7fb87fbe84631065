import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PlansAndQuotas1764200000000 implements MigrationInterface {
  name = 'PlansAndQuotas1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Support edits plans in the admin panel; these are the starting rows.
    await queryRunner.query(`
      CREATE TABLE "plans" (
        "id" text PRIMARY KEY,
        "name" text NOT NULL,
        "monthly_requests" integer NOT NULL CHECK ("monthly_requests" >= 0),
        "sort" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      INSERT INTO "plans" ("id", "name", "monthly_requests", "sort") VALUES
        ('trial', 'Trial', 200, 0),
        ('starter', 'Starter', 2000, 1),
        ('pro', 'Pro', 10000, 2),
        ('business', 'Business', 50000, 3)
    `);
    await queryRunner.query(`
      ALTER TABLE "installations"
        ADD COLUMN "timezone" text NOT NULL DEFAULT 'UTC',
        ADD COLUMN "plan_id" text NOT NULL DEFAULT 'trial' REFERENCES "plans" ("id"),
        ADD COLUMN "monthly_requests_override" integer CHECK ("monthly_requests_override" >= 0),
        ADD COLUMN "lead_daily_cap" integer CHECK ("lead_daily_cap" > 0)
    `);
    // Set when a request passes the quota check; such a request holds its place in the
    // allowance until it is counted or fails, so concurrent requests cannot overshoot it.
    await queryRunner.query(`
      ALTER TABLE "ai_requests"
        ADD COLUMN "quota_passed" boolean NOT NULL DEFAULT false,
        ADD COLUMN "counted_on" date
    `);
    // The per-lead daily cap counts a lead's requests of one local day.
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_lead_day" ON "ai_requests" ("installation_id", "lead_id", "counted_on")
        WHERE "counted_on" IS NOT NULL
    `);
    // The 80 % and 95 % warnings, once per account, month and threshold.
    await queryRunner.query(`
      CREATE TABLE "quota_warnings" (
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "month" text NOT NULL,
        "threshold" integer NOT NULL,
        "lead_id" bigint NOT NULL,
        "used" integer NOT NULL,
        "allowance" integer NOT NULL,
        "noted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("installation_id", "month", "threshold")
      )
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "quota_warnings"`);
    await queryRunner.query(
      `ALTER TABLE "ai_requests" DROP COLUMN "quota_passed", DROP COLUMN "counted_on"`,
    );
    await queryRunner.query(`
      ALTER TABLE "installations"
        DROP COLUMN "timezone",
        DROP COLUMN "plan_id",
        DROP COLUMN "monthly_requests_override",
        DROP COLUMN "lead_daily_cap"
    `);
    await queryRunner.query(`DROP TABLE "plans"`);
  }
}
