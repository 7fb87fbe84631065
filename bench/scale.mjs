// `pnpm bench:scale` (issue 24, docs/scaling.md): the hot statements and the ack on an empty
// ai_requests against one with millions of rows, and the token-refresh job over every seeded
// installation. Two databases with the same installed accounts, one of them with the rows; rounds
// alternate between them (empty, full, full, empty, …) and each figure is the median of the
// same-round ratios full ÷ empty, so the machine's drift cancels. Progress on stderr, the table on
// stdout, every figure and the EXPLAIN (ANALYZE, BUFFERS) plans in bench/results/scale.json and
// bench/results/scale-plans.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bodyFactory } from './lib/bodies.mjs';
import { loadBenchConfig } from './lib/config.mjs';
import { openLoad } from './lib/open-load.mjs';
import { pinServices } from './lib/pin-services.mjs';
import {
  freePort,
  pinning,
  pinSelf,
  runBench,
  sleep,
  stopAll,
  stopProcess,
} from './lib/processes.mjs';
import { checkAnchors, loadAppSql, PIPELINE, READS } from './lib/scale-queries.mjs';
import {
  appSecretBox,
  sandboxAccounts,
  seedInstallations,
  seedRequests,
} from './lib/scale-seed.mjs';
import { median, percentile, round } from './lib/stats.mjs';
import {
  apiRequire,
  appEnv,
  checkBuilt,
  configureIntegration,
  kommoRequests,
  resetStores,
  RESULTS_DIR,
  ROOT,
  sandboxClockOffset,
  serviceVersions,
  startApi,
  startSandbox,
  startWorker,
  withDb,
} from './lib/stack.mjs';

const log = (line) => process.stderr.write(`${line}\n`);
const pg = apiRequire('pg');
const quick = process.env.BENCH_QUICK === '1';

function int(name, full, small) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? small : full;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer`);
  return value;
}

function scaleConfig() {
  const bench = loadBenchConfig();
  const base =
    process.env.SCALE_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/gpt_bridge_bench_scale';
  const url = (suffix) => {
    const u = new URL(base);
    u.pathname = `${u.pathname}_${suffix}`;
    return u.toString();
  };
  if (!/bench/.test(new URL(base).pathname)) {
    throw new Error('SCALE_DATABASE_URL must name a database containing "bench" (it is dropped)');
  }
  return {
    quick,
    accounts: int('SCALE_ACCOUNTS', 2000, 50),
    rows: int('SCALE_ROWS', 5_000_000, 100_000),
    rounds: int('SCALE_ROUNDS', 3, 2),
    samples: int('SCALE_SAMPLES', 200, 30),
    ackRate: int('SCALE_ACK_RATE', 300, 100),
    ackSeconds: int('SCALE_ACK_SECONDS', 20, 3),
    refresh: process.env.SCALE_REFRESH !== '0',
    maxRatio: 1.2,
    pinServices: bench.pinServices,
    redisUrl: bench.redisUrl,
    logLevel: 'warn',
    empty: { databaseUrl: url('empty'), redisUrl: bench.redisUrl, redisPrefix: 'scale-empty' },
    full: { databaseUrl: url('full'), redisUrl: bench.redisUrl, redisPrefix: 'scale-full' },
  };
}

/** Times `fn` once, in ms. */
async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** A pool-less client per database, so each sample is one round trip as the app's pool makes it. */
async function connect(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

let leadSeq = 20_000_000;

/** One sample of every statement on one database; ms by key. */
async function sampleOnce(db, fixtures) {
  const account = fixtures[Math.floor(Math.random() * fixtures.length)];
  leadSeq += 1;
  const ctx = {
    ...account,
    leadId: leadSeq,
    deliveryKey: `idem:${leadSeq}:${Math.random().toString(36).slice(2)}`,
    at: new Date().toISOString(),
  };
  const ms = {};
  for (const step of PIPELINE) {
    ms[step.key] = await timed(() =>
      step.run ? step.run(db, ctx) : db.query(step.sql, step.params(ctx)),
    );
  }
  const readCtx = { ...account, leadId: 10_000_000 + (leadSeq % 200), at: ctx.at };
  for (const read of READS) {
    ms[read.key] = await timed(() =>
      read.run ? read.run(db, readCtx) : db.query(read.sql, read.params(readCtx)),
    );
  }
  return ms;
}

async function measureStatements(db, fixtures, samples) {
  const all = {};
  for (let i = 0; i < samples; i += 1) {
    for (const [key, value] of Object.entries(await sampleOnce(db, fixtures))) {
      (all[key] ??= []).push(value);
    }
  }
  return Object.fromEntries(
    Object.entries(all).map(([key, values]) => [
      key,
      { p50: round(median(values), 3), p95: round(percentile(values, 95), 3) },
    ]),
  );
}

/** EXPLAIN (ANALYZE, BUFFERS) of every statement with SQL; writes inside a rolled-back transaction. */
async function explainAll(db, fixtures, appSql) {
  const account = fixtures[0];
  const at = new Date().toISOString();
  const ctx = { ...account, leadId: 10_000_007, at, deliveryKey: 'explain' };
  const plans = {};
  const explain = async (key, sql, params) => {
    await db.query('BEGIN');
    try {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      plans[key] = rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await db.query('ROLLBACK');
    }
  };
  // The intake's statement for a batch of one (its lock statement takes advisory locks only);
  // its plan includes the dedupe lookup (ix_ai_requests_delivery_key).
  await explain('intake', appSql.INTAKE_BATCH_SQL, [
    JSON.stringify([
      { h: account.tokenHash, m: 'classic', l: ctx.leadId, k: 'body:explain', p: {}, w: 600 },
    ]),
  ]);
  const { rows } = await db.query(
    `SELECT id FROM ai_requests WHERE installation_id = $1 ORDER BY seq DESC LIMIT 1`,
    [account.installationId],
  );
  const requestId = rows[0]?.id ?? '00000000-0000-4000-8000-000000000000';
  for (const step of PIPELINE.filter((s) => s.sql)) {
    await explain(step.key, step.sql, step.params({ ...ctx, requestId }));
  }
  for (const read of READS) await explain(read.key, read.sql, read.params(ctx));
  return plans;
}

async function ackLoad(url, config) {
  const body = bodyFactory('form');
  let lead = 50_000_000 + Math.floor(Math.random() * 1e6) * 100;
  return openLoad({
    url,
    rate: config.ackRate,
    seconds: config.ackSeconds,
    connections: 10,
    contentType: body.contentType,
    make: () => body.make((lead += 1)),
  });
}

/**
 * The token-refresh job over every seeded installation: all made due, the job added to the
 * worker's installation queue (as its repeat would), then the sandbox's log of token calls.
 */
async function measureRefresh({ config, sandbox, env, count }) {
  await withDb(config.full, async (db) => {
    // Nothing else for the worker to do: the seeded lost jobs are not part of this figure.
    await db.query(
      `UPDATE ai_requests SET status = 'failed' WHERE status IN ('queued', 'processing', 'answered')`,
    );
    await db.query(
      `UPDATE installations SET token_expires_at = now() + interval '1 hour' WHERE status = 'active'`,
    );
  });
  const worker = await startWorker(env, 'scale-refresh');
  await sandbox.call('DELETE', '/_sandbox/requests');
  const offset = await sandboxClockOffset(sandbox);
  const since = Math.floor(Date.now() - offset);
  const started = Date.now();
  const Bull = apiRequire('bull');
  const queue = new Bull('installation', config.redisUrl, { prefix: config.full.redisPrefix });
  await queue.add('refresh-tokens', {}, { removeOnComplete: true, removeOnFail: 20 });
  let refreshed = 0;
  const deadline = Date.now() + Math.max(120_000, count * 200);
  while (Date.now() < deadline) {
    refreshed = await withDb(config.full, async (db) =>
      Number(
        (
          await db.query(`SELECT count(*) AS n FROM installations WHERE token_refreshed_at >= $1`, [
            new Date(started).toISOString(),
          ])
        ).rows[0].n,
      ),
    );
    if (refreshed >= count) break;
    await sleep(1000);
  }
  const seconds = (Date.now() - started) / 1000;
  await queue.close();
  await stopProcess(worker);
  const calls = (await kommoRequests(sandbox, { since })).filter(
    (e) => e.kind === 'oauth.refresh_token',
  );
  // Most calls in any one second: per account, and for all accounts together.
  const windowMax = (times) => {
    const sorted = [...times].sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < sorted.length; i += 1) {
      while (sorted[i] - sorted[j] >= 1000) j += 1;
      best = Math.max(best, i - j + 1);
    }
    return best;
  };
  const byAccount = new Map();
  for (const call of calls) {
    const list = byAccount.get(call.account_id) ?? [];
    list.push(call.at);
    byAccount.set(call.account_id, list);
  }
  const perAccountMax = Math.max(0, ...[...byAccount.values()].map(windowMax));
  const statuses = {};
  for (const call of calls) statuses[call.status] = (statuses[call.status] ?? 0) + 1;
  const first = Math.min(...calls.map((c) => c.at));
  const last = Math.max(...calls.map((c) => c.at));
  return {
    installations: count,
    refreshed,
    seconds: round(seconds, 1),
    tokenCalls: calls.length,
    statuses,
    callsSpanSeconds: calls.length ? round((last - first) / 1000, 1) : null,
    meanCallsPerSecond: calls.length
      ? round(calls.length / Math.max(1, (last - first) / 1000), 1)
      : null,
    maxCallsInOneSecond: windowMax(calls.map((c) => c.at)),
    maxCallsPerAccountInOneSecond: perAccountMax,
    accountsCalledTwice: [...byAccount.values()].filter((l) => l.length > 1).length,
  };
}

function ratioRow(name, key, rounds, field = 'p50') {
  const ratios = rounds.map((r) => r.full[key][field] / r.empty[key][field]);
  const empty = median(rounds.map((r) => r.empty[key][field]));
  const full = median(rounds.map((r) => r.full[key][field]));
  return {
    name,
    key,
    emptyMs: round(empty, 3),
    fullMs: round(full, 3),
    ratioMedian: round(median(ratios), 2),
    ratioMin: round(Math.min(...ratios), 2),
    ratioMax: round(Math.max(...ratios), 2),
  };
}

function table(results) {
  const { config } = results;
  const lines = [
    `**${config.quick ? 'Smoke run (BENCH_QUICK=1: small counts, the figures only show the harness works)' : 'Scale run'}**, ${results.date}. ` +
      `${results.machine.cpu} × ${results.machine.cores} cores, PostgreSQL ${results.machine.postgres}; load average before ` +
      `${results.machine.loadBefore.join(' / ')}. ${config.accounts.toLocaleString('en-US')} installed accounts in both databases; ` +
      `ai_requests ${results.seed.rowsEmpty.toLocaleString('en-US')} rows (empty) vs ${results.seed.rowsFull.toLocaleString('en-US')} (full), ` +
      `seeded in ${results.seed.seconds} s. ${config.rounds} interleaved rounds, ${config.samples} samples per statement per round.`,
    '',
    '| measure | empty (p50) | full (p50) | full ÷ empty, same round (median, min–max) | goal | status |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const pass = row.ratioMedian <= config.maxRatio;
    lines.push(
      `| ${row.name} | ${row.emptyMs} ms | ${row.fullMs} ms | ${row.ratioMedian} (${row.ratioMin}–${row.ratioMax}) | ≤ ${config.maxRatio} | ${pass ? 'pass' : 'FAIL'} |`,
    );
  }
  const refresh = results.refresh;
  if (refresh) {
    const ok =
      refresh.refreshed >= refresh.installations &&
      refresh.maxCallsPerAccountInOneSecond <= 6 &&
      !refresh.statuses[429];
    lines.push(
      `| token-refresh job, ${refresh.installations.toLocaleString('en-US')} installations due | ` +
        `${refresh.refreshed.toLocaleString('en-US')} refreshed in ${refresh.seconds} s; ${refresh.tokenCalls} token calls ` +
        `(${JSON.stringify(refresh.statuses)}), ${refresh.meanCallsPerSecond}/s on average, at most ${refresh.maxCallsInOneSecond} in one second ` +
        `overall and ${refresh.maxCallsPerAccountInOneSecond} for one account | | | all refreshed, ≤ 6 per account per second, no 429 | ${ok ? 'pass' : 'FAIL'} |`,
    );
  }
  return lines.join('\n');
}

function plansMarkdown(results) {
  const out = [`# EXPLAIN (ANALYZE, BUFFERS), ${results.date}`, ''];
  for (const which of ['empty', 'full']) {
    out.push(
      `## ${which} (${results.seed[which === 'empty' ? 'rowsEmpty' : 'rowsFull'].toLocaleString('en-US')} rows)`,
      '',
    );
    for (const [key, plan] of Object.entries(results.plans[which])) {
      out.push(`### ${key}`, '', '```', plan, '```', '');
    }
  }
  return out.join('\n');
}

async function main() {
  const config = scaleConfig();
  checkBuilt();
  const sources = checkAnchors();
  const appSql = await loadAppSql();
  pinSelf();
  const services = pinServices(config.pinServices);
  const started = Date.now();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadBefore: os.loadavg().map((n) => round(n, 2)),
    pinning: `${pinning.note}; ${services.note}`,
  };
  log(`scale: ${config.accounts} accounts, ${config.rows} rows; ${machine.pinning}`);
  await resetStores(config.empty);
  await resetStores(config.full);
  Object.assign(machine, await serviceVersions(config.full));

  const sandbox = await startSandbox();
  const ports = { empty: await freePort(), full: await freePort() };
  const env = {
    empty: appEnv({ ...config, ...config.empty }, sandbox, ports.empty),
    full: appEnv({ ...config, ...config.full }, sandbox, ports.full),
  };
  await configureIntegration(sandbox, env.full.PUBLIC_URL);

  log('scale: sandbox accounts and their tokens');
  const accounts = await sandboxAccounts(sandbox, config.accounts, Date.now().toString(36));
  const box = await appSecretBox(env.full.ENCRYPTION_KEYS);
  const fixtures = {};
  const seedStart = Date.now();
  for (const which of ['empty', 'full']) {
    fixtures[which] = await withDb(config[which], (db) => seedInstallations(db, box, accounts));
  }
  log(`scale: seeding ${config.rows.toLocaleString('en-US')} ai_requests rows (full database)`);
  const seeded = await withDb(config.full, (db) => seedRequests(db, config.rows, { log }));
  await withDb(config.empty, (db) => db.query('VACUUM ANALYZE'));
  const seed = { seconds: Math.round((Date.now() - seedStart) / 1000), ...seeded };

  const apis = {
    empty: await startApi(env.empty, 'scale-empty'),
    full: await startApi(env.full, 'scale-full'),
  };
  const clients = {
    empty: await connect(config.empty.databaseUrl),
    full: await connect(config.full.databaseUrl),
  };
  // The ack goes to the first seeded account of each database (the same Kommo account).
  const ackUrl = (which) => `${env[which].PUBLIC_URL}/${fixtures[which][0].chatgptToken}/handler`;

  const rounds = [];
  for (let r = 0; r < config.rounds; r += 1) {
    const order = r % 2 === 0 ? ['empty', 'full'] : ['full', 'empty'];
    const round_ = {};
    for (const which of order) {
      // A short warm-up of both paths, discarded.
      await measureStatements(clients[which], fixtures[which], 5);
      const statements = await measureStatements(clients[which], fixtures[which], config.samples);
      const ack = await ackLoad(ackUrl(which), config);
      if (ack.non2xx + ack.errors > 0) {
        throw new Error(
          `the ack answered ${ack.non2xx} non-2xx and ${ack.errors} errors on the ${which} database: its figure would time refusals`,
        );
      }
      // No worker runs here: the ack's rows would stay queued and become the sweeper's (and the
      // quota's) work in the next samples. Finished, they are history like the seeded rows.
      await clients[which].query(
        `UPDATE ai_requests SET status = 'done', finished_at = now()
          WHERE installation_id = $1 AND status = 'queued'`,
        [fixtures[which][0].installationId],
      );
      round_[which] = {
        ...statements,
        ackHttp: {
          p50: ack.latencyMs.p50,
          p99: ack.latencyMs.p99,
          rps: ack.rps,
          non2xx: ack.non2xx,
        },
      };
      log(
        `  round ${r + 1} ${which}: intake ${statements.intake.p50} ms, claim ${statements.claim.p50} ms, ` +
          `quota ${statements.quota.p50} ms, sweeper ${statements.sweeper.p50} ms, admin ${statements.adminAll.p50} ms, ` +
          `ack p50 ${ack.latencyMs.p50} / p99 ${ack.latencyMs.p99} ms`,
      );
    }
    rounds.push(round_);
  }
  const named = [
    ['ack over HTTP, form body, fixed rate (p50)', 'ackHttp'],
    ...PIPELINE.map((s) => [s.name, s.key]),
    ...READS.map((s) => [s.name, s.key]),
  ];
  const rows = named.map(([name, key]) => ratioRow(name, key, rounds));
  rows.splice(1, 0, {
    ...ratioRow('ack over HTTP, form body, fixed rate (p99)', 'ackHttp', rounds, 'p99'),
    key: 'ackHttpP99',
  });
  const plans = {
    empty: await explainAll(clients.empty, fixtures.empty, appSql),
    full: await explainAll(clients.full, fixtures.full, appSql),
  };
  const rowsCount = async (which) =>
    Number((await clients[which].query('SELECT count(*) AS n FROM ai_requests')).rows[0].n);
  seed.rowsEmpty = await rowsCount('empty');
  seed.rowsFull = await rowsCount('full');
  await clients.empty.end();
  await clients.full.end();
  await stopProcess(apis.empty);
  await stopProcess(apis.full);

  let refresh = null;
  if (config.refresh) {
    log(`scale: token-refresh job over ${config.accounts} installations`);
    refresh = await measureRefresh({ config, sandbox, env: env.full, count: config.accounts });
  }
  await stopAll();
  services.restore();

  const results = {
    date: new Date(started).toISOString(),
    machine: { ...machine, loadAfter: os.loadavg().map((n) => round(n, 2)) },
    config,
    sources,
    seed,
    rounds,
    rows,
    plans,
    refresh,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  const file = path.join(RESULTS_DIR, 'scale.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(RESULTS_DIR, 'scale-plans.md'), plansMarkdown(results));
  log(
    `scale: wrote ${path.relative(ROOT, file)} and bench/results/scale-plans.md in ${results.durationSeconds} s`,
  );
  process.stdout.write(`\n${table(results)}\n`);
}

runBench('scale', main);
