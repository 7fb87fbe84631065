import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

/** count(*) is int8: pg returns it as text. */
type Count = string;

/**
 * The quota check's statements on `ai_requests`: the requests that hold a place in the allowance
 * and the lead's counted ones, read and marked under the account's quota lock.
 */
@Injectable()
export class RequestQuotaRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `body` in a transaction that holds the account's quota lock: checks queue per account. */
  async underLock<T>(installationId: string, body: (manager: EntityManager) => Promise<T>) {
    return this.db.transaction(async (manager): Promise<T> => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `quota:${installationId}`,
      ]);
      return body(manager);
    });
  }

  /**
   * Requests other than `id` that passed the check and are not counted yet, in the account and
   * of the lead.
   */
  async inFlight(
    manager: EntityManager,
    request: { id: string; installationId: string; leadId: number },
  ): Promise<{ all: number; lead: number; costUsd: number }> {
    // An answered request's cost is known before it is counted; one still asking adds none yet.
    const inFlight: { all: Count; lead: Count; cost: number }[] = await manager.query(
      `SELECT count(*) AS all, count(*) FILTER (WHERE lead_id = $3) AS lead,
              coalesce(sum(cost_usd), 0)::float8 AS cost
         FROM ai_requests
          WHERE installation_id = $1 AND id <> $2 AND quota_passed
            AND (status = 'processing' OR (status = 'answered' AND reached_provider))`,
      [request.installationId, request.id, request.leadId],
    );
    return {
      all: Number(inFlight[0]?.all ?? 0),
      lead: Number(inFlight[0]?.lead ?? 0),
      costUsd: inFlight[0]?.cost ?? 0,
    };
  }

  /** The lead's requests counted on `day` (account-local, YYYY-MM-DD). */
  async countedOn(
    manager: EntityManager,
    installationId: string,
    leadId: number,
    day: string,
  ): Promise<number> {
    const today: { n: Count }[] = await manager.query(
      `SELECT count(*) AS n FROM ai_requests
            WHERE installation_id = $1 AND lead_id = $2 AND counted_on = $3::date`,
      [installationId, leadId, day],
    );
    return Number(today[0]?.n ?? 0);
  }

  /** The request holds its place in the allowance until it is counted or fails. */
  async markPassed(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE ai_requests SET quota_passed = true WHERE id = $1`, [id]);
  }
}
