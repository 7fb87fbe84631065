/**
 * The rows of an `UPDATE … RETURNING` / `DELETE … RETURNING` run through TypeORM's `query()`,
 * which answers `[rows, affectedCount]` for those commands and plain rows for SELECT/INSERT.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** How many rows an `UPDATE` / `DELETE` without `RETURNING` run through TypeORM's `query()` changed. */
export function affectedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') {
    return result[1];
  }
  return Array.isArray(result) ? result.length : 0;
}
