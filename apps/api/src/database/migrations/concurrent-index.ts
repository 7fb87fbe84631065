import { type QueryRunner } from 'typeorm';

/**
 * Builds an index CONCURRENTLY, for a migration with `transaction = false`: a plain CREATE INDEX
 * on a large ai_requests would hold off the intake's inserts for the whole build. A build that
 * failed half-way leaves an invalid index, which is dropped and built again.
 */
export async function createIndexConcurrently(
  queryRunner: QueryRunner,
  name: string,
  definition: string,
): Promise<void> {
  const invalid = (await queryRunner.query(
    `SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE c.relname = $1 AND NOT x.indisvalid`,
    [name],
  )) as unknown[];
  if (invalid.length > 0) await queryRunner.query(`DROP INDEX CONCURRENTLY "${name}"`);
  await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ${definition}`);
}
