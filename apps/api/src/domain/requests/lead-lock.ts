/**
 * The PostgreSQL advisory lock that says "a worker is answering this lead" (LeadDrain holds it)
 * and the same key in SQL, so the sweeper can see a lead in work without touching its lock.
 */
export function leadLockKey(installationId: string, leadId: number): string {
  return `lead:${installationId}:${leadId}`;
}

/** `leadLockKey` of a row of `ai_requests` (`installation_id`, `lead_id`), hashed as LeadDrain does. */
export const LEAD_LOCK_SQL = `hashtextextended('lead:' || installation_id::text || ':' || lead_id::text, 0)`;

/**
 * The bigint keys of the advisory locks granted in this database: pg_locks shows a bigint key as
 * its high half (`classid`) and low half (`objid`) with `objsubid` 1 (PostgreSQL manual,
 * "pg_locks"). The shift wraps like the key's own two's complement.
 */
export const HELD_LEAD_LOCKS_SQL = `
  SELECT (l.classid::bigint << 32) | l.objid::bigint AS key
    FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
