import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class IntakeFunction1764300000000 implements MigrationInterface {
  name = 'IntakeFunction1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The intake's dedupe-and-store in one round trip (it was BEGIN, lock, insert, COMMIT): the
    // ack path holds a pooled connection for one statement. Each statement of a PL/pgSQL function
    // takes a fresh snapshot, so after waiting for the lock the lookup sees a twin committed just
    // before; the transaction lock is released when the calling statement commits.
    await queryRunner.query(`
      CREATE FUNCTION ai_intake(
        p_installation uuid, p_kind text, p_mode text, p_lead bigint, p_key text,
        p_params jsonb, p_window_seconds integer)
      RETURNS TABLE (request_id uuid, duplicate_of uuid)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_prior uuid;
        v_id uuid;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_installation::text || ':' || p_key, 0));
        SELECT r.id INTO v_prior FROM ai_requests r
         WHERE r.installation_id = p_installation AND r.delivery_key = p_key
           AND r.duplicate_of IS NULL AND r.status <> 'rejected'
           AND r.received_at > now() - make_interval(secs => p_window_seconds)
         ORDER BY r.received_at LIMIT 1;
        INSERT INTO ai_requests
          (installation_id, kind, mode, lead_id, delivery_key, params, status, duplicate_of)
        VALUES (p_installation, p_kind, p_mode, p_lead, p_key, p_params,
                CASE WHEN v_prior IS NULL THEN 'queued' ELSE 'duplicate' END, v_prior)
        RETURNING id INTO v_id;
        RETURN QUERY SELECT v_id, v_prior;
      END
      $$
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION ai_intake(uuid, text, text, bigint, text, jsonb, integer)`,
    );
  }
}
