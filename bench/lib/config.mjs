// What one `pnpm bench` run measures, from BENCH_* variables. BENCH_QUICK=1 shrinks every figure
// so the whole harness can be smoke-tested in about a minute; its numbers are not results.

const quick = process.env.BENCH_QUICK === '1';

function int(name, full, small) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? small : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a number, got "${raw}"`);
  }
  return value;
}

function list(name, full) {
  const raw = process.env[name];
  return (raw && raw.trim() !== '' ? raw : full)
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

export function loadBenchConfig() {
  const config = {
    quick,
    ack: {
      // Interleaved rounds (ours, baseline, ours, baseline, …), each with its own warm-up.
      rounds: int('BENCH_ROUNDS', 3, 2),
      warmupSeconds: int('BENCH_WARMUP_SECONDS', 3, 1),
      durationSeconds: int('BENCH_DURATION', 10, 2),
      connections: int('BENCH_CONNECTIONS', 50, 50),
      latencyRate: int('BENCH_LATENCY_RATE', 500, 500),
      latencyConnections: int('BENCH_LATENCY_CONNECTIONS', 10, 10),
      latencySeconds: int('BENCH_LATENCY_SECONDS', 60, 2),
      // form = what Kommo's webhook step sends; json = a salesbot-style JSON (docs/performance.md).
      bodies: list('BENCH_ACK_BODIES', 'form,json'),
    },
    e2e: {
      accounts: int('BENCH_E2E_ACCOUNTS', 10, 4),
      // Quick mode keeps the same 2 webhooks/s per account as the full run.
      ratePerSecond: int('BENCH_E2E_RATE', 20, 8),
      seconds: int('BENCH_E2E_SECONDS', 30, 3),
      providerLatenciesMs: list('BENCH_E2E_LATENCIES_MS', '0,1500').map(Number),
      // classic: Kommo's "Send webhook" body (lead read + PATCH); widget: our salesbot block
      // (widget_request → continue).
      modes: list('BENCH_E2E_MODES', 'classic,widget'),
    },
    drain: {
      accounts: int('BENCH_BURST_ACCOUNTS', 5, 2),
      burst: int('BENCH_BURST', 200, 10),
      // How many burst webhooks are in flight at once (the burst is sent as fast as acks allow).
      senders: int('BENCH_BURST_SENDERS', 20, 20),
    },
    // Run 5 (issue 22 point 3): three customer messages `gapMs` apart on each of `leads` leads per
    // template, the last message → the answer, for each template next to its fixed 20 s twin.
    burst: {
      leads: int('BENCH_BURST_LEADS', 10, 2),
      gapMs: int('BENCH_BURST_GAP_MS', 900, 900),
      providerLatencyMs: int('BENCH_BURST_PROVIDER_MS', 1500, 1500),
      variants: list(
        'BENCH_BURST_TEMPLATES',
        'classic-fixed,classic,widget-fixed,widget,widget-nowindow',
      ),
      // The fixed classic template needs 20 s + a 5 s and a 10 s poll: past this a burst is missing.
      deadlineSeconds: int('BENCH_BURST_DEADLINE_SECONDS', 60, 60),
      settleSeconds: int('BENCH_BURST_SETTLE_SECONDS', 5, 3),
    },
    // Our per-installation Kommo budget (KOMMO_RATE_LIMIT_PER_SECOND's default); the minimum
    // drain time is computed from it.
    kommoBudgetPerSecond: int('BENCH_KOMMO_BUDGET', 6, 6),
    workerConcurrency: process.env.BENCH_WORKER_CONCURRENCY || undefined,
    logLevel: process.env.BENCH_LOG_LEVEL || 'info',
    // The machine's PostgreSQL and Redis on the load core during the run (put back after).
    pinServices: process.env.BENCH_PIN_SERVICES !== '0',
    databaseUrl:
      process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/gpt_bridge_bench',
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/9',
    redisPrefix: 'bench',
    writeDocs: process.env.BENCH_WRITE_DOCS === '1',
    // A subset of ack,e2e,drain,burst (memory is sampled during whichever runs).
    only: list('BENCH_ONLY', 'ack,e2e,drain,burst'),
  };
  for (const body of config.ack.bodies) {
    if (body !== 'form' && body !== 'json') {
      throw new Error(`BENCH_ACK_BODIES: "${body}" is neither form nor json`);
    }
  }
  for (const mode of config.e2e.modes) {
    if (mode !== 'classic' && mode !== 'widget') {
      throw new Error(`BENCH_E2E_MODES: "${mode}" is neither classic nor widget`);
    }
  }
  for (const run of config.only) {
    if (!['ack', 'e2e', 'drain', 'burst'].includes(run)) {
      throw new Error(`BENCH_ONLY: "${run}" is not one of ack, e2e, drain, burst`);
    }
  }
  const templates = ['classic-fixed', 'classic', 'widget-fixed', 'widget', 'widget-nowindow'];
  for (const template of config.burst.variants) {
    if (!templates.includes(template)) {
      throw new Error(`BENCH_BURST_TEMPLATES: "${template}" is not one of ${templates.join(', ')}`);
    }
  }
  if (config.burst.gapMs * 2 > 2000) {
    throw new Error('BENCH_BURST_GAP_MS: three messages must fit in 2 s (at most 1000)');
  }
  if (config.ack.rounds < 1) throw new Error('BENCH_ROUNDS must be at least 1');
  // The bench drops and recreates this database: never let it point at real data.
  if (!/bench/.test(new URL(config.databaseUrl).pathname)) {
    throw new Error('BENCH_DATABASE_URL must name a database containing "bench" (it is dropped)');
  }
  return config;
}

/** The goals of issue 10 (docs/performance.md, "What each figure means"), checked here. */
export const GOALS = {
  ackRatioMin: 0.2,
  ackP99MaxMs: 25,
  e2eOverheadP50MaxMs: 50,
  e2eOverheadP99MaxMs: 300,
  kommo429Max: 0,
  drainRatioMax: 1.2,
};
