import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the lead card's trace and the cost estimate need (issue 23): the prompt as it was sent,
 * each request's estimated cost and its sum per day, and the owner's monthly cost cap. Only new
 * nullable columns or constant defaults: PostgreSQL adds them without rewriting the tables.
 */
export class LeadTraceAndCost1764930000000 implements MigrationInterface {
  name = 'LeadTraceAndCost1764930000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The prompt text is customer text: retention and a lead erase remove it with the answer.
    // Memory length and media kinds hold none, so they stay for the trace.
    await queryRunner.query(`
      ALTER TABLE "ai_requests"
        ADD COLUMN "prompt_text" text,
        ADD COLUMN "prompt_memory_messages" integer,
        ADD COLUMN "prompt_media" text[],
        ADD COLUMN "cost_usd" numeric(18, 9)`);
    // Summed when a request is counted, so the month's cost is a read of at most 31 × 2 rows.
    await queryRunner.query(
      `ALTER TABLE "usage_daily" ADD COLUMN "cost_usd" numeric(18, 9) NOT NULL DEFAULT 0`,
    );
    // null = no cap; the owner sets it in the widget.
    await queryRunner.query(
      `ALTER TABLE "installations" ADD COLUMN "monthly_cost_cap_usd" numeric(12, 2)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "installations" DROP COLUMN "monthly_cost_cap_usd"`);
    await queryRunner.query(`ALTER TABLE "usage_daily" DROP COLUMN "cost_usd"`);
    await queryRunner.query(`
      ALTER TABLE "ai_requests"
        DROP COLUMN "prompt_text",
        DROP COLUMN "prompt_memory_messages",
        DROP COLUMN "prompt_media",
        DROP COLUMN "cost_usd"`);
  }
}
