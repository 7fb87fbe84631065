import { type MigrationInterface, type QueryRunner } from 'typeorm';

// The intake's dedupe rule (docs/architecture.md, "Duplicates"). Kommo's salesbot webhook body
// names only the lead, its stage and the account (docs/kommo-contract.md §1), so every call for a
// lead in one stage is the same bytes: a content key can only tell "nothing new to read yet",
// never "this message was answered". A content-keyed delivery therefore collapses into an earlier
// one of the same webhook only while that one is still `queued`: when it is picked up it reads
// the lead as it is now, which holds whatever the second call was about. Explicit keys (an
// Idempotency-Key, a widget_request's continue path) keep the whole window.
export const DEDUPE_RULE = `
        SELECT r.id INTO v_prior FROM ai_requests r
         WHERE r.installation_id = p_installation AND r.delivery_key = p_key
           AND r.duplicate_of IS NULL AND r.status <> 'rejected'
           AND r.received_at > now() - make_interval(secs => p_window_seconds)
           AND (left(p_key, 5) <> 'body:'
                OR (r.status = 'queued' AND r.kind = p_kind AND r.lead_id = p_lead))
         ORDER BY r.received_at LIMIT 1;`;

const WINDOW_RULE = `
        SELECT r.id INTO v_prior FROM ai_requests r
         WHERE r.installation_id = p_installation AND r.delivery_key = p_key
           AND r.duplicate_of IS NULL AND r.status <> 'rejected'
           AND r.received_at > now() - make_interval(secs => p_window_seconds)
         ORDER BY r.received_at LIMIT 1;`;

export function intakeFunction(lookup: string): string {
  // Each statement of a PL/pgSQL function takes a fresh snapshot, so after waiting for the lock
  // the lookup sees a twin committed just before.
  return `
      CREATE OR REPLACE FUNCTION ai_intake(
        p_installation uuid, p_kind text, p_mode text, p_lead bigint, p_key text,
        p_params jsonb, p_window_seconds integer)
      RETURNS TABLE (request_id uuid, duplicate_of uuid)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_prior uuid;
        v_id uuid;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_installation::text || ':' || p_key, 0));
        ${lookup}
        INSERT INTO ai_requests
          (installation_id, kind, mode, lead_id, delivery_key, params, status, duplicate_of)
        VALUES (p_installation, p_kind, p_mode, p_lead, p_key, p_params,
                CASE WHEN v_prior IS NULL THEN 'queued' ELSE 'duplicate' END, v_prior)
        RETURNING id INTO v_id;
        RETURN QUERY SELECT v_id, v_prior;
      END
      $$`;
}

export class DedupeOnlyWhileQueued1764600000000 implements MigrationInterface {
  name = 'DedupeOnlyWhileQueued1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(intakeFunction(DEDUPE_RULE));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(intakeFunction(WINDOW_RULE));
  }
}
