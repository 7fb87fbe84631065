import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class WebhooksAndAiRequests1764100000000 implements MigrationInterface {
  name = 'WebhooksAndAiRequests1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A webhook URL token is kept as its SHA-256 (the lookup) plus an envelope the widget can
    // show again; the plain token is never stored.
    await queryRunner.query(`
      CREATE TABLE "webhook_tokens" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "kind" text NOT NULL CHECK ("kind" IN ('chatgpt', 'assistant')),
        "token_hash" bytea NOT NULL,
        "token_enc" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "rotated_at" timestamptz,
        CONSTRAINT "uq_webhook_tokens_hash" UNIQUE ("token_hash"),
        CONSTRAINT "uq_webhook_tokens_kind" UNIQUE ("installation_id", "kind")
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "provider_settings" (
        "installation_id" uuid PRIMARY KEY REFERENCES "installations" ("id") ON DELETE CASCADE,
        "openai_api_key_enc" text,
        "assistant_provider" text NOT NULL DEFAULT 'openai',
        "assistant_api_key_enc" text,
        "assistant_model" text,
        "assistant_instructions" text,
        "assistant_base_url" text,
        "assistant_agent_id" text,
        "assistant_api_version" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )
    `);
    // The inbox and the request log in one: a row is written before the webhook is acknowledged
    // and then carries the request through to its answer (docs/architecture.md).
    await queryRunner.query(`
      CREATE TABLE "ai_requests" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "seq" bigserial NOT NULL,
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "kind" text NOT NULL,
        "mode" text NOT NULL,
        "lead_id" bigint,
        "delivery_key" text NOT NULL,
        "duplicate_of" uuid,
        "status" text NOT NULL,
        "params" jsonb NOT NULL DEFAULT '{}',
        "provider" text,
        "model" text,
        "attempts" integer NOT NULL DEFAULT 0,
        "latency_ms" integer,
        "input_tokens" integer,
        "output_tokens" integer,
        "total_tokens" integer,
        "reached_provider" boolean NOT NULL DEFAULT false,
        "stop_bot" boolean NOT NULL DEFAULT false,
        "error_class" text,
        "error_message" text,
        "log_line" text,
        "answer" text,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "answered_at" timestamptz,
        "finished_at" timestamptz
      )
    `);
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_pending" ON "ai_requests" ("installation_id", "lead_id", "seq")
        WHERE "status" IN ('queued', 'processing', 'answered')
    `);
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_stale" ON "ai_requests" ("received_at")
        WHERE "status" IN ('queued', 'processing', 'answered')
    `);
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_delivery" ON "ai_requests" ("installation_id", "delivery_key", "received_at")
    `);
    await queryRunner.query(`
      CREATE INDEX "ix_ai_requests_recent" ON "ai_requests" ("installation_id", "received_at" DESC)
    `);
    // Memory per lead and provider: a server-side conversation id or the history we keep.
    await queryRunner.query(`
      CREATE TABLE "lead_conversations" (
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "lead_id" bigint NOT NULL,
        "provider_key" text NOT NULL,
        "state" jsonb NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("installation_id", "lead_id", "provider_key")
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "usage_daily" (
        "installation_id" uuid NOT NULL REFERENCES "installations" ("id") ON DELETE CASCADE,
        "day" date NOT NULL,
        "kind" text NOT NULL,
        "requests" integer NOT NULL DEFAULT 0,
        "tokens" bigint NOT NULL DEFAULT 0,
        PRIMARY KEY ("installation_id", "day", "kind")
      )
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "usage_daily"`);
    await queryRunner.query(`DROP TABLE "lead_conversations"`);
    await queryRunner.query(`DROP TABLE "ai_requests"`);
    await queryRunner.query(`DROP TABLE "provider_settings"`);
    await queryRunner.query(`DROP TABLE "webhook_tokens"`);
  }
}
