import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The classic webhook's batched ack is two set-based statements in one transaction now, kept
 * beside its caller (apps/api/src/domain/requests/intake-batch-sql.ts); the PL/pgSQL loop that ran
 * five statements per webhook goes. `ai_intake` stays: the widget_request intake calls it.
 */
export class SetBasedIntake1764850000000 implements MigrationInterface {
  name = 'SetBasedIntake1764850000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ai_intake_batch(jsonb)`);
    await queryRunner.query(
      `DROP FUNCTION ai_intake_by_token(bytea, text, bigint, text, jsonb, integer)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
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
}
