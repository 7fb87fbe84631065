/**
 * The installation ($1) is uninstalled for more than $2 days and not purged yet: the condition
 * each batch of an uninstalled account's purge re-checks (FOR SHARE: a reinstall, which updates
 * the row, waits for the batch) and its last step locks (FOR UPDATE).
 */
export const PURGE_DUE_SQL = `SELECT 1 FROM installations
  WHERE id = $1 AND uninstalled_at < now() - make_interval(days => $2) AND purged_at IS NULL`;
