// `pnpm bench:scale-out` (issue 24, docs/scaling.md): two API processes and two workers on this
// machine, one PostgreSQL and one Redis, the Kommo sandbox. Webhooks go round robin to the two
// APIs (as a load balancer would send them) and the fault run's accounting (bench/lib/chaos-*.mjs)
// says what became of each: lost, answered twice, out of order, Kommo 429s. No faults here: it
// shows that the processes share the work without stepping on each other.
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyse, loadRows, pendingCount } from './lib/chaos-analysis.mjs';
import { startLogReader } from './lib/chaos-ledger.mjs';
import { planMessages, sendAll } from './lib/chaos-sender.mjs';
import { loadBenchConfig } from './lib/config.mjs';
import { cpuMs } from './lib/cpu-time.mjs';
import { round } from './lib/stats.mjs';
import { freePort, runBench, sleep, stopAll, unexpectedExits } from './lib/processes.mjs';
import {
  appEnv,
  checkBuilt,
  configureIntegration,
  createLeads,
  installAccounts,
  resetStores,
  RESULTS_DIR,
  ROOT,
  sandboxClockOffset,
  setProviderLatency,
  startApi,
  startSandbox,
  startWorker,
  withDb,
} from './lib/stack.mjs';

const log = (line) => process.stderr.write(`${line}\n`);
const quick = process.env.BENCH_QUICK === '1';
const num = (name, full, small) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (quick ? small : full) : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
};

function config() {
  const bench = loadBenchConfig();
  const databaseUrl =
    process.env.SCALE_OUT_DATABASE_URL ||
    'postgres://postgres@127.0.0.1:5432/gpt_bridge_bench_scale_out';
  if (!/bench/.test(new URL(databaseUrl).pathname)) {
    throw new Error(
      'SCALE_OUT_DATABASE_URL must name a database containing "bench" (it is dropped)',
    );
  }
  return {
    quick,
    // 3,000 webhooks over 60 s to 30 accounts: 50/s, under 2 per account per second (two Kommo
    // calls each, within the 6/s budget), so neither Kommo nor the provider is the limit.
    accounts: num('SCALE_OUT_ACCOUNTS', 30, 6),
    leadsPerAccount: num('SCALE_OUT_LEADS_PER_ACCOUNT', 10, 5),
    webhooks: num('SCALE_OUT_WEBHOOKS', 3000, 300),
    sendSeconds: num('SCALE_OUT_SECONDS', 60, 20),
    providerLatencyMs: num('SCALE_OUT_PROVIDER_LATENCY_MS', 300, 300),
    ackTimeoutMs: 2_000,
    resendWindowSeconds: 60,
    drainTimeoutSeconds: num('SCALE_OUT_DRAIN_TIMEOUT_S', 300, 120),
    databaseUrl,
    redisUrl: bench.redisUrl,
    redisPrefix: 'scaleout',
    logLevel: 'warn',
    workerConcurrency: bench.workerConcurrency,
  };
}

async function waitForDrain(cfg, accountIds, deadline) {
  for (;;) {
    const pending = pendingCount(await withDb(cfg, (db) => loadRows(db, accountIds)));
    if (pending === 0 || Date.now() > deadline) return pending;
    log(`  drain: ${pending} rows pending`);
    await sleep(2000);
  }
}

/**
 * Pool sizes that fit two APIs and two workers in PostgreSQL's max_connections. Each process
 * opens up to DATABASE_POOL_SIZE (20), and each worker as many lead-lock connections as
 * AI_WORKER_CONCURRENCY (40): 2 × 20 + 2 × (20 + 40) = 160 by default, past the default 100, and
 * the drain then fails with "too many clients already" (docs/scaling.md, "Connections").
 */
async function connectionBudget(cfg) {
  const max = await withDb(cfg, async (db) =>
    Number((await db.query('SHOW max_connections')).rows[0].max_connections),
  );
  const pool = 10;
  // 20 kept for the bench's own clients, the sandbox and anyone else on the server.
  const concurrency = Math.max(4, Math.min(40, Math.floor((max - 20 - 4 * pool) / 2)));
  log(`scale-out: max_connections ${max}: pools of ${pool}, worker concurrency ${concurrency}`);
  return { DATABASE_POOL_SIZE: String(pool), AI_WORKER_CONCURRENCY: String(concurrency) };
}

async function main() {
  const cfg = config();
  checkBuilt();
  const started = Date.now();
  log(
    `scale-out: ${cfg.webhooks} webhooks over ${cfg.sendSeconds} s, ${cfg.accounts} accounts, 2 APIs + 2 workers`,
  );
  await resetStores(cfg);
  const sandbox = await startSandbox({ core: null });
  const ports = [await freePort(), await freePort()];
  // Both APIs and both workers read the same settings but for the port; PUBLIC_URL is the first
  // API's (behind a load balancer it would be the balancer's address).
  const envA = { ...appEnv(cfg, sandbox, ports[0]), ...(await connectionBudget(cfg)) };
  const envB = { ...envA, PORT: String(ports[1]) };
  await configureIntegration(sandbox, envA.PUBLIC_URL);
  await sandbox.call('POST', '/_sandbox/ai/spec/warm');
  const apis = [await startApi(envA, 'scale-out-a'), await startApi(envB, 'scale-out-b')];
  const workers = [await startWorker(envA, 'scale-out-a'), await startWorker(envA, 'scale-out-b')];

  log(`scale-out: installing ${cfg.accounts} sandbox accounts`);
  const accounts = await installAccounts(cfg, sandbox, envA.PUBLIC_URL, cfg.accounts, 'so');
  for (const account of accounts) {
    account.leads = await createLeads(sandbox, account.id, cfg.leadsPerAccount);
  }
  await withDb(cfg, (db) =>
    db.query(`UPDATE installations SET plan_id = 'business' WHERE kommo_account_id = ANY($1)`, [
      accounts.map((a) => a.id),
    ]),
  );
  await setProviderLatency(sandbox, cfg.providerLatencyMs);
  // Round robin: message g goes to API g mod 2 (the same token path on the other port).
  const messages = planMessages(cfg, accounts).map((m) => {
    const url = new URL(m.account.handlerUrl);
    url.port = String(ports[m.g % 2]);
    return {
      ...m,
      api: m.g % 2 === 0 ? 'a' : 'b',
      account: { ...m.account, handlerUrl: url.toString() },
    };
  });

  await sandbox.call('DELETE', '/_sandbox/requests');
  await sandbox.call('DELETE', '/_sandbox/ai/calls');
  const offset = await sandboxClockOffset(sandbox);
  const reader = startLogReader(sandbox, { since: Math.floor(Date.now() - offset), offset });
  const cpuBefore = [...apis, ...workers].map(cpuMs);
  const start = Date.now() + 500;
  await sendAll({ config: cfg, sandbox, messages, start, log });
  log('scale-out: all webhooks acknowledged or given up; waiting for the drain');
  const accountIds = accounts.map((a) => a.id);
  const pendingAtEnd = await waitForDrain(
    cfg,
    accountIds,
    Date.now() + cfg.drainTimeoutSeconds * 1000,
  );
  const { entries, gaps } = await reader.stop();
  const counters = await sandbox.call('GET', '/_sandbox/requests/counters');
  const { calls } = await sandbox.call('GET', '/_sandbox/ai/calls?provider=openai');
  const rows = await withDb(cfg, (db) => loadRows(db, accountIds));
  const figures = analyse({
    messages,
    entries,
    rows,
    gaps,
    counters,
    openAiCalls: calls.length,
    lastFaultEnd: null,
    start,
  });
  const ackedBy = { a: 0, b: 0 };
  for (const m of messages) if (m.acked) ackedBy[m.api] += 1;
  // CPU each process spent during the load: every one of the four must have taken a share.
  const cpuSeconds = Object.fromEntries(
    [...apis, ...workers].map((entry, i) => [
      ['api a', 'api b', 'worker a', 'worker b'][i],
      Math.round((cpuMs(entry) - cpuBefore[i]) / 100) / 10,
    ]),
  );
  const exits = unexpectedExits();
  await stopAll();

  const summary = {
    date: new Date(started).toISOString(),
    machine: {
      cores: os.cpus().length,
      loadBefore: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    config: cfg,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    ackedByApi: ackedBy,
    cpuSeconds,
    pendingAtEnd,
    unexpectedExits: exits,
    figures,
  };
  const file = path.join(RESULTS_DIR, 'scale-out.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  const f = figures;
  const lines = [
    `**scale-out**, ${summary.date}: ${f.sending.messages} webhooks in ${cfg.sendSeconds} s over ${cfg.accounts} accounts, round robin to 2 APIs, 2 workers, one PostgreSQL and one Redis; provider latency ${cfg.providerLatencyMs} ms.`,
    '',
    '| measure | result | goal | status |',
    '|---|---|---|---|',
    `| acknowledged | API a ${ackedBy.a}, API b ${ackedBy.b}; ${f.sending.neverAcked} never acknowledged; ack p50 ${f.sending.ackMs.p50} / p99 ${f.sending.ackMs.p99} ms | all | ${f.sending.neverAcked === 0 ? 'pass' : 'FAIL'} |`,
    `| lost | ${f.lost.count} (${f.lost.notServed} not served, ${f.rows.acksWithoutRow} 2xx without a row); ${pendingAtEnd} pending at the end | 0 | ${f.lost.count === 0 && pendingAtEnd === 0 ? 'pass' : 'FAIL'} |`,
    `| answered twice | ${f.answeredTwice.oneRequestDeliveredTwice} requests written twice | 0 | ${f.answeredTwice.oneRequestDeliveredTwice === 0 ? 'pass' : 'FAIL'} |`,
    `| out of order | ${f.order.violations} answers after a later message's answer; ${f.order.dbViolations} rows finished before an older row of their lead | 0 | ${f.order.violations === 0 ? 'pass' : 'FAIL'} |`,
    `| Kommo 429 / 403 | ${f.kommo.status429} / ${f.kommo.status403} | 0 | ${f.kommo.status429 + f.kommo.status403 === 0 ? 'pass' : 'FAIL'} |`,
    `| provider calls per request | ${f.provider.perRequest} | 1 | ${f.provider.perRequest <= 1.0 ? 'pass' : 'FAIL'} |`,
    `| work shared | CPU seconds during the run: ${Object.entries(cpuSeconds)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} | each > 0 | ${Object.values(cpuSeconds).every((v) => v > 0) ? 'pass' : 'FAIL'} |`,
    `| cost per answered request | worker CPU ${round(((cpuSeconds['worker a'] + cpuSeconds['worker b']) * 1000) / Math.max(1, f.provider.requestsThatAsked), 1)} ms, API CPU ${round(((cpuSeconds['api a'] + cpuSeconds['api b']) * 1000) / Math.max(1, f.sending.messages), 2)} ms per webhook; ${f.kommo.perMessage} Kommo calls per webhook | none set | n/a |`,
    `| processes | ${exits.length} exited on their own | 0 | ${exits.length === 0 ? 'pass' : 'FAIL'} |`,
  ];
  log(`scale-out: wrote ${path.relative(ROOT, file)} in ${summary.durationSeconds} s`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

runBench('scale-out', main, { exitWhenDone: true });
