import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class RecoveredAnswers1764810000000 implements MigrationInterface {
  name = 'RecoveredAnswers1764810000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The answer was read back from the provider's record of an earlier ask (a worker died after
    // asking): that start of the provider step was not paid for, so it is not a re-ask
    // (docs/architecture.md, "Failure cases").
    await queryRunner.query(
      `ALTER TABLE "ai_requests" ADD COLUMN "answer_recovered" boolean NOT NULL DEFAULT false`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ai_requests" DROP COLUMN "answer_recovered"`);
  }
}
