// `pnpm bench` (issue 10, docs/performance.md; run 5: issue 22): five measurements against the BUILT API,
// worker and Kommo sandbox, on PostgreSQL and Redis of this machine. Progress goes to stderr;
// the markdown table to stdout; every figure to bench/results/latest.json.
import os from 'node:os';
import path from 'node:path';
import { loadBenchConfig } from './lib/config.mjs';
import { lifetimePeakMb, sampleMemory } from './lib/memory.mjs';
import {
  freePort,
  pinning,
  pinSelf,
  runBench,
  startNode,
  stopAll,
  stopProcess,
  waitForLog,
} from './lib/processes.mjs';
import { pinServices } from './lib/pin-services.mjs';
import { checkGoals, markdownTable, writeDocsTable, writeResults } from './lib/report.mjs';
import { runAck } from './lib/run-ack.mjs';
import { runBurst } from './lib/run-burst.mjs';
import { runDrain } from './lib/run-drain.mjs';
import { runE2e } from './lib/run-e2e.mjs';
import {
  appEnv,
  checkBuilt,
  configureIntegration,
  deleteRedisKeys,
  installAccounts,
  LOG_DIR,
  resetStores,
  ROOT,
  serviceVersions,
  startApi,
  startSandbox,
  startWorker,
  withDb,
} from './lib/stack.mjs';

const log = (line) => process.stderr.write(`${line}\n`);

async function ackLedger(config, kommoAccountId) {
  return withDb(config, async (db) => {
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE duplicate_of IS NULL AND status <> 'rejected')::int AS stored,
              count(*) FILTER (WHERE duplicate_of IS NOT NULL)::int AS duplicates,
              count(*) FILTER (WHERE status = 'rejected')::int AS rejected
         FROM ai_requests
        WHERE installation_id = (SELECT id FROM installations WHERE kommo_account_id = $1)`,
      [kommoAccountId],
    );
    return rows[0];
  });
}

async function main() {
  const config = loadBenchConfig();
  checkBuilt();
  pinSelf();
  const services = pinServices(config.pinServices);
  const started = Date.now();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadBefore: os.loadavg().map((n) => Math.round(n * 100) / 100),
    pinning: `${pinning.note}; ${services.note}`,
  };
  log(`bench: ${config.quick ? 'QUICK smoke run' : 'full run'}; ${machine.pinning}`);
  log('bench: fresh database and Redis prefix');
  await resetStores(config);
  Object.assign(machine, await serviceVersions(config));

  const sandbox = await startSandbox();
  const env = appEnv(config, sandbox, await freePort());
  await configureIntegration(sandbox, env.PUBLIC_URL);
  // The first OpenAI validation compiles the spec and stalls the sandbox for about a second.
  await sandbox.call('POST', '/_sandbox/ai/spec/warm');

  const runs = new Set(config.only);
  let api = await startApi(env, 'run1');
  let worker = await startWorker(env, 'setup');
  log('bench: installing sandbox accounts');
  const install = (count, tag) => installAccounts(config, sandbox, env.PUBLIC_URL, count, tag);
  const [ackAccount] = runs.has('ack') ? await install(1, 'ack') : [];
  const e2eAccounts = runs.has('e2e') ? await install(config.e2e.accounts, 'e2e') : [];
  const drainAccounts = runs.has('drain') ? await install(config.drain.accounts, 'drain') : [];
  const burstAccounts = runs.has('burst')
    ? await install(config.burst.variants.length, 'burst')
    : [];

  const results = {
    date: new Date(started).toISOString(),
    machine,
    config,
    runs: { memory: { lifetime: {} } },
  };

  if (runs.has('ack')) {
    // Run 1 measures the ack path alone: a worker would compete for core 0 with jobs that
    // cannot be answered (their leads do not exist) and its sweeper would rescan the backlog.
    await stopProcess(worker);
    log('bench: run 1 (ack vs bare Fastify)');
    const baselinePort = await freePort();
    const baseline = startNode('baseline', path.join(ROOT, 'bench/baseline-server.mjs'), {
      cwd: path.join(ROOT, 'bench'),
      env: { PATH: process.env.PATH, BASELINE_PORT: String(baselinePort) },
      logFile: path.join(LOG_DIR, 'baseline.log'),
      core: pinning.serverCore,
    });
    await waitForLog(baseline, 'listening on');
    const ackPath = new URL(ackAccount.handlerUrl).pathname;
    const memory1 = sampleMemory({ api, baseline });
    const ack = await runAck({
      config,
      oursUrl: ackAccount.handlerUrl,
      baselineUrl: `http://127.0.0.1:${baselinePort}${ackPath}`,
      log,
      // The database is new, so the intake's plans were made for an empty ai_requests; autovacuum
      // analyzes it within a minute. Doing that after the warm-up measures every round, the first
      // included, with the plans a database in use has.
      settle: () => withDb(config, (db) => db.query('ANALYZE ai_requests')),
    });
    results.runs.memory.run1 = memory1.stop();
    results.runs.memory.lifetime.apiRun1 = lifetimePeakMb(api);
    await stopProcess(baseline);
    // Stopped gracefully, so requests still in flight when the load ended are committed first.
    await stopProcess(api);
    const ledger = await ackLedger(config, ackAccount.id);
    results.runs.ack = {
      ...ack,
      ledger: {
        acked2xx: ack.ours2xx,
        rowsStored: ledger.stored,
        duplicates: ledger.duplicates,
        rejected: ledger.rejected,
      },
    };
    // Run 1 left a backlog for leads that do not exist: drop it so runs 2 and 3 start clean.
    // Vacuumed now, or autovacuum would clean its ~180k dead rows in the middle of run 2 (a
    // stall of about a second, 8 s into the first phase, in two full runs).
    await withDb(config, async (db) => {
      await db.query(
        `DELETE FROM ai_requests
          WHERE installation_id = (SELECT id FROM installations WHERE kommo_account_id = $1)`,
        [ackAccount.id],
      );
      await db.query('VACUUM ANALYZE ai_requests');
    });
    await deleteRedisKeys(config, `${config.redisPrefix}:ai:*`);
    api = await startApi(env, 'run2');
    worker = await startWorker(env, 'run2');
  }

  if (runs.has('e2e')) {
    log('bench: run 2 (end to end)');
    const memory2 = sampleMemory({ api, worker });
    results.runs.e2e = await runE2e({ config, sandbox, accounts: e2eAccounts, log });
    results.runs.memory.run2 = memory2.stop();
  }

  if (runs.has('drain')) {
    log('bench: run 3 (Kommo limit, burst)');
    const memory3 = sampleMemory({ api, worker });
    results.runs.drain = await runDrain({ config, sandbox, accounts: drainAccounts, log });
    results.runs.memory.run3 = memory3.stop();
  }
  if (runs.has('burst')) {
    log('bench: run 5 (one answer per burst: last message → answer)');
    results.runs.burst = await runBurst({
      config,
      sandbox,
      apiUrl: env.PUBLIC_URL,
      accounts: burstAccounts,
      log,
    });
  }
  Object.assign(results.runs.memory.lifetime, {
    apiRun2: lifetimePeakMb(api),
    worker: lifetimePeakMb(worker),
  });
  results.runs.kommoCounters = await sandbox.call('GET', '/_sandbox/requests/counters');
  await stopAll();
  services.restore();

  machine.loadAfter = os.loadavg().map((n) => Math.round(n * 100) / 100);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.goals = checkGoals(results);
  const table = markdownTable(results);
  const file = writeResults(results);
  log(`bench: wrote ${path.relative(ROOT, file)} in ${results.durationSeconds} s`);
  if (config.writeDocs) log(`bench: updated ${path.relative(ROOT, writeDocsTable(table))}`);
  process.stdout.write(`\n${table}\n`);
}

runBench('bench', main);
