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
    // The classic webhook's whole ack in one statement: find the token's installation and, when
    // it is active, store the request. Only the ChatGPT webhook keeps ?model= and ?tokens=.
    await queryRunner.query(`
      CREATE FUNCTION ai_intake_by_token(
        p_token_hash bytea, p_mode text, p_lead bigint, p_key text, p_params jsonb,
        p_window_seconds integer)
      RETURNS TABLE (installation_id uuid, kind text, status text, request_id uuid,
                     duplicate_of uuid)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_installation uuid;
        v_kind text;
        v_status text;
        v_params jsonb;
      BEGIN
        SELECT t.installation_id, t.kind, i.status INTO v_installation, v_kind, v_status
          FROM webhook_tokens t JOIN installations i ON i.id = t.installation_id
         WHERE t.token_hash = p_token_hash;
        IF v_installation IS NULL OR v_status <> 'active' THEN
          RETURN QUERY SELECT v_installation, v_kind, v_status, NULL::uuid, NULL::uuid;
          RETURN;
        END IF;
        v_params := CASE WHEN v_kind = 'chatgpt' THEN p_params
                         ELSE p_params - 'model' - 'tokens' END;
        RETURN QUERY
          SELECT v_installation, v_kind, v_status, r.request_id, r.duplicate_of
            FROM ai_intake(v_installation, v_kind, p_mode, p_lead, p_key, v_params,
                           p_window_seconds) r;
      END
      $$
    `);
    // Many classic acks in one statement and one commit (the API batches what arrives while a
    // batch is being stored). Items take their locks in one order, so two batches that share a
    // delivery key cannot deadlock.
    await queryRunner.query(`
      CREATE FUNCTION ai_intake_batch(p_items jsonb)
      RETURNS TABLE (idx integer, installation_id uuid, kind text, status text, request_id uuid,
                     duplicate_of uuid)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_item record;
      BEGIN
        FOR v_item IN
          SELECT e.ordinality::integer AS n, decode(e.value->>'h', 'hex') AS h,
                 e.value->>'m' AS m, (e.value->>'l')::bigint AS l, e.value->>'k' AS k,
                 e.value->'p' AS p, (e.value->>'w')::integer AS w
            FROM jsonb_array_elements(p_items) WITH ORDINALITY e
            LEFT JOIN webhook_tokens t ON t.token_hash = decode(e.value->>'h', 'hex')
           ORDER BY t.installation_id::text || ':' || (e.value->>'k') NULLS LAST, e.ordinality
        LOOP
          RETURN QUERY SELECT v_item.n, r.installation_id, r.kind, r.status, r.request_id,
                              r.duplicate_of
                         FROM ai_intake_by_token(v_item.h, v_item.m, v_item.l, v_item.k,
                                                 v_item.p, v_item.w) r;
        END LOOP;
      END
      $$
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ai_intake_batch(jsonb)`);
    await queryRunner.query(
      `DROP FUNCTION ai_intake_by_token(bytea, text, bigint, text, jsonb, integer)`,
    );
    await queryRunner.query(
      `DROP FUNCTION ai_intake(uuid, text, text, bigint, text, jsonb, integer)`,
    );
  }
}
