// `pnpm bench:chaos` (issue 19, docs/fault-run.md): at least 10,000 classic webhooks over about
// five minutes while workers are SIGKILLed and Redis and PostgreSQL are killed, stopped and
// restarted, then the ledger: lost, failed silently, answered twice, out of order, provider calls
// per request, Kommo 429s/403s, processes that exited, and the drain after the last fault. It runs
// on a PostgreSQL and a Redis of its own (fresh, on ports 5440 and 6390), never the machine's.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { API_NODE_FLAGS } from '../scripts/api-node-flags.mjs';
import { analyse, loadRows, pendingCount } from './lib/chaos-analysis.mjs';
import { loadChaosConfig } from './lib/chaos-config.mjs';
import { faultPlan, runFaults, Slot } from './lib/chaos-faults.mjs';
import { startLogReader } from './lib/chaos-ledger.mjs';
import { markdownTable, writeDocsTable, writeResults } from './lib/chaos-report.mjs';
import { planMessages, sendAll } from './lib/chaos-sender.mjs';
import {
  cleanup,
  makeBaseDir,
  pgBinDir,
  privatePostgres,
  privateRedis,
} from './lib/chaos-services.mjs';
import { freePort, sleep, startNode, stopAll, unexpectedExits } from './lib/processes.mjs';
import {
  API_MAIN,
  API_WORKER,
  appEnv,
  checkBuilt,
  CHILD_CWD,
  configureIntegration,
  createLeads,
  installAccounts,
  LOG_DIR,
  resetStores,
  ROOT,
  sandboxClockOffset,
  serviceVersions,
  setProviderLatency,
  startSandbox,
  withDb,
} from './lib/stack.mjs';

const log = (line) => process.stderr.write(`${line}\n`);
const state = { baseDir: null, slots: {}, start: Date.now(), events: [] };
/** A process started, exited or began to serve: kept with its time after the first webhook. */
const onEvent = (what) => {
  const at = Math.round((Date.now() - state.start) / 100) / 10;
  state.events.push({ at, what });
  log(`  [${at} s] ${what}`);
};

function commit() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const hash = git('rev-parse', '--short', 'HEAD');
  return git('status', '--porcelain', '--untracked-files=no') ? `${hash} (with changes)` : hash;
}

/** The API and the two workers as `pnpm start` runs them, each in a slot that restarts it. */
function appSlots(env, restartDelayMs) {
  const common = { restartDelayMs, onEvent };
  const api = new Slot('api', {
    spawn: (life) =>
      startNode(`api (life ${life})`, API_MAIN, {
        cwd: CHILD_CWD,
        env,
        nodeFlags: API_NODE_FLAGS,
        logFile: path.join(LOG_DIR, `chaos-api-${life}.log`),
      }),
    isReady: async () => (await fetch(`${env.PUBLIC_URL}/health`)).ok,
    ...common,
  });
  const worker = (label) =>
    new Slot(`worker-${label}`, {
      spawn: (life) =>
        startNode(`worker ${label} (life ${life})`, API_WORKER, {
          cwd: CHILD_CWD,
          env: { ...env, LOG_LEVEL: 'info' },
          logFile: path.join(LOG_DIR, `chaos-worker-${label}-${life}.log`),
        }),
      isReady: async (entry) => readFileSync(entry.logFile, 'utf8').includes('worker started'),
      ...common,
    });
  return { api, 'worker-a': worker('a'), 'worker-b': worker('b') };
}

/** Lines at pino's error level or above in the API's and the workers' logs, per process kind. */
function errorLines() {
  const counts = {};
  for (const file of readdirSync(LOG_DIR).filter((f) => /^chaos-(api|worker)-/.test(f))) {
    const kind = file.startsWith('chaos-api') ? 'api' : 'workers';
    const text = readFileSync(path.join(LOG_DIR, file), 'utf8');
    counts[kind] = (counts[kind] ?? 0) + (text.match(/"level":(50|60)/g)?.length ?? 0);
  }
  return counts;
}

async function waitForDrain(config, accountIds, deadline) {
  for (;;) {
    try {
      const rows = await withDb(config, (db) => loadRows(db, accountIds));
      const pending = pendingCount(rows);
      if (pending === 0 || Date.now() > deadline) return pending;
      log(`  drain: ${pending} rows pending`);
    } catch (error) {
      log(`  drain: database not reachable (${error.message})`);
    }
    await sleep(2000);
  }
}

async function main() {
  const config = loadChaosConfig();
  checkBuilt();
  // Logs of an earlier run (a life numbered higher than this run reaches would linger).
  for (const file of readdirSync(LOG_DIR).filter((f) => f.startsWith('chaos-'))) {
    rmSync(path.join(LOG_DIR, file));
  }
  const started = Date.now();
  // This process's own lag and CPU: on a loaded machine its timers (sends, faults) run late.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const load = [];
  const loadTimer = setInterval(() => load.push(os.loadavg()[0]), 5000);
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    loadBefore: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
  log(`chaos: ${config.quick ? 'QUICK smoke run' : 'full run'}; private PostgreSQL and Redis`);
  state.baseDir = makeBaseDir();
  const { restartDelayMs } = config.faults;
  const postgres = privatePostgres({
    port: config.postgresPort,
    binDir: pgBinDir(config.pgBin),
    baseDir: state.baseDir,
  });
  const redis = privateRedis({ port: config.redisPort, baseDir: state.baseDir });
  const slots = state.slots;
  slots.postgres = new Slot('postgres', { ...postgres, restartDelayMs, onEvent });
  slots.redis = new Slot('redis', { ...redis, restartDelayMs, onEvent });
  const [pgUp, redisUp] = await Promise.all([slots.postgres.launch(), slots.redis.launch()]);
  if (!pgUp || !redisUp) throw new Error('private PostgreSQL or Redis did not start; see logs');
  Object.assign(config, {
    databaseUrl: `${postgres.url}/gpt_bridge_chaos`,
    redisUrl: redis.url,
  });
  await resetStores(config);
  Object.assign(machine, await serviceVersions(config));

  const sandbox = await startSandbox({ core: null });
  const env = {
    ...appEnv(config, sandbox, await freePort()),
    // 40 installs in a minute: more than the default 30 token exchanges per minute in all.
    KOMMO_TOKEN_BUDGET_TOTAL: String(Math.max(30, config.accounts * 2)),
  };
  await configureIntegration(sandbox, env.PUBLIC_URL);
  await sandbox.call('POST', '/_sandbox/ai/spec/warm');
  Object.assign(slots, appSlots(env, restartDelayMs));
  const up = await Promise.all(['api', 'worker-a', 'worker-b'].map((n) => slots[n].launch()));
  if (up.includes(null)) throw new Error('the API or a worker did not start; see logs');

  log(`chaos: installing ${config.accounts} sandbox accounts`);
  const accounts = await installAccounts(config, sandbox, env.PUBLIC_URL, config.accounts, 'c');
  for (const account of accounts) {
    account.leads = await createLeads(sandbox, account.id, config.leadsPerAccount);
  }
  // About 255 messages an account: past the trial plan's 200 a month, which would turn the rest
  // into quota refusals (their error line is the same every time, so a resumed one writes nothing).
  await withDb(config, (db) =>
    db.query(`UPDATE installations SET plan_id = 'business' WHERE kommo_account_id = ANY($1)`, [
      accounts.map((a) => a.id),
    ]),
  );
  await setProviderLatency(sandbox, config.providerLatencyMs);
  const messages = planMessages(config, accounts);
  const plan = faultPlan(config);

  await sandbox.call('DELETE', '/_sandbox/requests');
  await sandbox.call('DELETE', '/_sandbox/ai/calls');
  const offset = await sandboxClockOffset(sandbox);
  const reader = startLogReader(sandbox, { since: Math.floor(Date.now() - offset), offset });
  const start = Date.now() + 500;
  state.start = start;
  log(
    `chaos: sending ${messages.length} webhooks over ${config.sendSeconds} s; ${plan.length} faults`,
  );
  const faultsDone = runFaults({
    plan,
    start,
    slots,
    redisOutageMode: config.faults.redisOutageMode,
    log,
  });
  await sendAll({ config, sandbox, messages, start, log });
  const sendEndedAt = Date.now();
  const faults = await faultsDone;
  log('chaos: all webhooks settled; waiting for the drain');
  const accountIds = accounts.map((a) => a.id);
  await waitForDrain(config, accountIds, Date.now() + config.drainTimeoutSeconds * 1000);

  const { entries, gaps } = await reader.stop();
  const counters = await sandbox.call('GET', '/_sandbox/requests/counters');
  const { calls } = await sandbox.call('GET', '/_sandbox/ai/calls?provider=openai');
  const rows = await withDb(config, (db) => loadRows(db, accountIds));
  const lastFaultEnd = Math.max(...faults.map((f) => f.endedAt ?? f.startedAt));
  const figures = analyse({
    messages,
    entries,
    rows,
    gaps,
    counters,
    openAiCalls: calls.length,
    lastFaultEnd,
    start,
  });
  clearInterval(loadTimer);
  const processes = {
    unexpected: unexpectedExits(),
    lives: Object.fromEntries(Object.entries(slots).map(([n, s]) => [n, s.lives])),
    errorLines: errorLines(),
  };
  for (const slot of Object.values(slots)) slot.closed = true;
  await stopAll();
  cleanup(state.baseDir);

  loopDelay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  machine.harness = {
    eventLoopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e6),
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    },
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  };
  machine.loadDuring = {
    mean: load.length
      ? Math.round((load.reduce((a, b) => a + b, 0) / load.length) * 100) / 100
      : null,
    max: load.length ? Math.round(Math.max(...load) * 100) / 100 : null,
  };
  const results = {
    date: new Date(started).toISOString(),
    commit: commit(),
    machine,
    config,
    startedAt: start,
    sendEndedAt,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    faults,
    events: state.events,
    processes,
    figures,
  };
  const table = markdownTable(results);
  const file = writeResults(results);
  log(`chaos: wrote ${path.relative(ROOT, file)} in ${results.durationSeconds} s`);
  if (config.writeDocs) log(`chaos: updated ${path.relative(ROOT, writeDocsTable(table))}`);
  process.stdout.write(`\n${table}\n`);
}

let stopping = false;
async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason) log(`chaos: ${reason}`);
  for (const slot of Object.values(state.slots)) slot.closed = true;
  // A paused Redis would not act on SIGTERM.
  state.slots.redis?.entry?.child.kill('SIGCONT');
  await stopAll();
  cleanup(state.baseDir);
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void shutdown(130, `stopped by ${signal}`));
}

main().then(
  // Kept-alive sockets to the sandbox would hold the process open.
  () => process.exit(0),
  (error) => void shutdown(1, `failed: ${error.stack ?? error}`),
);
