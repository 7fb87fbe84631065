// What one `pnpm bench:chaos` run does, from CHAOS_* variables (docs/fault-run.md). CHAOS_QUICK=1
// shrinks the load and the faults so the harness can be smoke-tested in about a minute.

const quick = process.env.CHAOS_QUICK === '1';

function num(name, full, small) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? small : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a number ≥ 0, got "${raw}"`);
  }
  return value;
}

export function loadChaosConfig() {
  const sendSeconds = num('CHAOS_SECONDS', 300, 40);
  const config = {
    quick,
    // Enough accounts that Kommo's per-account budget (6/s, two calls per webhook) is never
    // what limits the run: 34 webhooks/s over 40 accounts is 1.7 calls/s each.
    accounts: num('CHAOS_ACCOUNTS', 40, 8),
    leadsPerAccount: num('CHAOS_LEADS_PER_ACCOUNT', 10, 10),
    webhooks: num('CHAOS_WEBHOOKS', 10_200, 800),
    sendSeconds,
    providerLatencyMs: num('CHAOS_PROVIDER_LATENCY_MS', 500, 500),
    // Kommo wants our 2xx within 2 s and resends a webhook that failed (docs/kommo-contract.md,
    // limits table); its resend schedule is not documented, so ours is 1, 2, 4, 8, then every
    // 10 s, for at most CHAOS_RESEND_WINDOW_S after the first try.
    ackTimeoutMs: num('CHAOS_ACK_TIMEOUT_MS', 2_000, 2_000),
    resendWindowSeconds: num('CHAOS_RESEND_WINDOW_S', 120, 60),
    faults: {
      // A worker is SIGKILLed every 10–20 s (seeded), alternately a and b, and restarted
      // after CHAOS_RESTART_DELAY_MS as a supervisor (Docker's restart policy) would.
      killEveryMinSeconds: num('CHAOS_KILL_MIN_S', 10, 6),
      killEveryMaxSeconds: num('CHAOS_KILL_MAX_S', 20, 9),
      restartDelayMs: num('CHAOS_RESTART_DELAY_MS', 1_000, 1_000),
      redisKillAt: num('CHAOS_REDIS_KILL_AT_S', 45, 5),
      redisOutageAt: num('CHAOS_REDIS_OUTAGE_AT_S', 100, 15),
      redisOutageSeconds: num('CHAOS_REDIS_OUTAGE_S', 30, 10),
      // stop: Redis shut down, connections refused; pause: SIGSTOP, connections hang.
      redisOutageMode: process.env.CHAOS_REDIS_OUTAGE_MODE || 'stop',
      postgresOutageAt: num('CHAOS_PG_OUTAGE_AT_S', 190, 28),
      postgresOutageSeconds: num('CHAOS_PG_OUTAGE_S', 10, 5),
      // Kills stop this long before the sending ends, so the drain is measured after all faults.
      lastKillBeforeEndSeconds: num('CHAOS_LAST_KILL_BEFORE_END_S', 10, 4),
      seed: num('CHAOS_SEED', 19, 19),
    },
    drainTimeoutSeconds: num('CHAOS_DRAIN_TIMEOUT_S', 600, 120),
    postgresPort: num('CHAOS_PG_PORT', 5440, 5440),
    redisPort: num('CHAOS_REDIS_PORT', 6390, 6390),
    pgBin: process.env.CHAOS_PG_BIN || undefined,
    workerConcurrency: process.env.CHAOS_WORKER_CONCURRENCY || undefined,
    logLevel: 'info',
    redisPrefix: 'chaos',
    writeDocs: process.env.CHAOS_WRITE_DOCS === '1',
  };
  if (!['stop', 'pause'].includes(config.faults.redisOutageMode)) {
    throw new Error('CHAOS_REDIS_OUTAGE_MODE must be stop or pause');
  }
  if (config.faults.killEveryMinSeconds > config.faults.killEveryMaxSeconds) {
    throw new Error('CHAOS_KILL_MIN_S must not exceed CHAOS_KILL_MAX_S');
  }
  if (config.accounts < 1 || config.leadsPerAccount < 1 || config.webhooks < 1) {
    throw new Error('CHAOS_ACCOUNTS, CHAOS_LEADS_PER_ACCOUNT and CHAOS_WEBHOOKS must be ≥ 1');
  }
  for (const port of [config.postgresPort, config.redisPort]) {
    if ([5432, 6379].includes(port)) {
      throw new Error(`port ${port} is the machine's own service: a fault run kills its stores`);
    }
  }
  return config;
}
