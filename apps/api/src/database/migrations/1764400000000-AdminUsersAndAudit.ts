import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class AdminUsersAndAudit1764400000000 implements MigrationInterface {
  name = 'AdminUsersAndAudit1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Support staff of the admin panel. The hash string carries its own salt and scrypt cost, so
    // the cost can be raised later without a migration.
    await queryRunner.query(`
      CREATE TABLE "admin_users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "email" text NOT NULL UNIQUE CHECK ("email" = lower("email")),
        "password_hash" text NOT NULL,
        "role" text NOT NULL CHECK ("role" IN ('support', 'admin')),
        "failed_attempts" integer NOT NULL DEFAULT 0,
        "locked_until" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_login_at" timestamptz
      )
    `);
    // The id is the SHA-256 of the cookie's token: a leaked table opens no session.
    await queryRunner.query(`
      CREATE TABLE "admin_sessions" (
        "id" text PRIMARY KEY,
        "user_id" uuid NOT NULL REFERENCES "admin_users" ("id") ON DELETE CASCADE,
        "csrf_token_hash" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "ix_admin_sessions_user" ON "admin_sessions" ("user_id")`,
    );
    // Kept when a user is deleted: the email is copied so the trail still says who.
    await queryRunner.query(`
      CREATE TABLE "audit_log" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "actor_user_id" uuid,
        "actor_email" text NOT NULL,
        "action" text NOT NULL,
        "target_type" text NOT NULL,
        "target_id" text NOT NULL,
        "before" jsonb,
        "after" jsonb
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_log_target" ON "audit_log" ("target_id", "at" DESC)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_log_at" ON "audit_log" ("at" DESC)`);
    // A replay is a new request linked to the failed one it repeats.
    await queryRunner.query(`
      ALTER TABLE "ai_requests"
        ADD COLUMN "replay_of" uuid REFERENCES "ai_requests" ("id") ON DELETE SET NULL
    `);
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_received" ON "ai_requests" ("received_at" DESC)
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_ai_requests_received"`);
    await queryRunner.query(`ALTER TABLE "ai_requests" DROP COLUMN "replay_of"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP TABLE "admin_sessions"`);
    await queryRunner.query(`DROP TABLE "admin_users"`);
  }
}
