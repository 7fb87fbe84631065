import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 22, "never talk over a person": per account, the secret of the account-webhook URL Kommo
 * posts chat messages to, the subscription's state, and the silence time; per lead, the pause a
 * person's message (or a button) starts.
 */
export class HumanHandoff1764900000000 implements MigrationInterface {
  name = 'HumanHandoff1764900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "handoff_settings" (
        "installation_id" uuid PRIMARY KEY REFERENCES "installations" ("id") ON DELETE CASCADE,
        "silence_minutes" integer NOT NULL DEFAULT 30
          CHECK ("silence_minutes" BETWEEN 1 AND 10080),
        "events_token_hash" bytea NOT NULL,
        "events_token_enc" text NOT NULL,
        "subscription_state" text NOT NULL DEFAULT 'pending'
          CHECK ("subscription_state" IN ('pending', 'subscribed', 'failed', 'off')),
        "subscription_error" text,
        "subscription_checked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_handoff_settings_events_token" UNIQUE ("events_token_hash")
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "lead_pauses" (
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "lead_id" bigint NOT NULL,
        "source" text NOT NULL
          CHECK ("source" IN ('team_message', 'widget_button', 'admin_panel')),
        "user_id" bigint,
        "user_name" text,
        "since" timestamptz NOT NULL,
        "last_human_at" timestamptz NOT NULL,
        "resumes_at" timestamptz,
        "ended_at" timestamptz,
        "handback" text,
        "on_off_set" boolean NOT NULL DEFAULT false,
        PRIMARY KEY ("installation_id", "lead_id")
      )
    `);
    // The resume pass and the admin list read only pauses not yet ended.
    await queryRunner.query(
      `CREATE INDEX "ix_lead_pauses_open" ON "lead_pauses" ("resumes_at") WHERE "ended_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "lead_pauses"`);
    await queryRunner.query(`DROP TABLE "handoff_settings"`);
  }
}
