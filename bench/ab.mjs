// `pnpm bench:ab`: two builds or flag sets of the API side by side on one stack (one database,
// Redis prefix, sandbox and account), both on the server core, with loads alternating between
// them: fixed-rate latency loads, or saturation loads for capacity (AB_MODE=capacity). On this VM
// single loads move ±50 %; alternating rounds on one stack is what made a difference visible
// (docs/performance.md, "Comparing two versions").
import path from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { bodyFactory } from './lib/bodies.mjs';
import { loadBenchConfig } from './lib/config.mjs';
import { openLoad } from './lib/open-load.mjs';
import { cannon, figures } from './lib/run-ack.mjs';
import { cpuMs } from './lib/cpu-time.mjs';
import { pinServices } from './lib/pin-services.mjs';
import {
  assertAlive,
  freePort,
  pinning,
  pinSelf,
  runBench,
  stopAll,
  stopProcess,
} from './lib/processes.mjs';
import { median, round } from './lib/stats.mjs';
import {
  appEnv,
  checkBuilt,
  configureIntegration,
  installAccounts,
  resetStores,
  RESULTS_DIR,
  ROOT,
  startApi,
  startSandbox,
  startWorker,
  withDb,
} from './lib/stack.mjs';
import { API_NODE_FLAGS } from '../scripts/api-node-flags.mjs';

const log = (line) => process.stderr.write(`${line}\n`);

function side(name) {
  const dist = process.env[`AB_${name}_DIST`] || 'apps/api/dist';
  const flags = process.env[`AB_${name}_FLAGS`];
  // Extra environment of this side's API, `NAME=value` pairs separated by spaces.
  const extraEnv = Object.fromEntries(
    (process.env[`AB_${name}_ENV`] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new Error(`AB_${name}_ENV: "${pair}" is not NAME=value`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
  );
  const main = path.resolve(ROOT, dist, 'main.js');
  if (!existsSync(main)) throw new Error(`AB_${name}_DIST: ${main} does not exist (pnpm build?)`);
  return {
    name,
    main,
    nodeFlags: flags === undefined ? API_NODE_FLAGS : flags.split(' ').filter(Boolean),
    extraEnv,
  };
}

function positive(name, fallback) {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

async function main() {
  const config = loadBenchConfig();
  checkBuilt();
  const sides = [side('A'), side('B')];
  const rounds = positive('AB_ROUNDS', 3);
  const seconds = positive('AB_SECONDS', 30);
  const kind = process.env.AB_BODY || 'json';
  if (kind !== 'form' && kind !== 'json') {
    throw new Error(`AB_BODY: "${kind}" is neither form nor json`);
  }
  const mode = process.env.AB_MODE || 'latency';
  if (mode !== 'latency' && mode !== 'capacity') {
    throw new Error(`AB_MODE: "${mode}" is neither latency nor capacity`);
  }
  const body = bodyFactory(kind);
  pinSelf();
  const services = pinServices(config.pinServices);
  log(`bench:ab: ${pinning.note}; ${services.note}`);
  for (const s of sides) {
    const envNote = Object.entries(s.extraEnv)
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    log(`  ${s.name}: ${envNote}node ${[...s.nodeFlags, path.relative(ROOT, s.main)].join(' ')}`);
  }

  await resetStores(config);
  const sandbox = await startSandbox();
  const env = appEnv(config, sandbox, await freePort());
  await configureIntegration(sandbox, env.PUBLIC_URL);
  const setupApi = await startApi(env, 'ab-setup');
  const worker = await startWorker(env, 'ab-setup');
  const [account] = await installAccounts(config, sandbox, env.PUBLIC_URL, 1, 'ab');
  // As in run 1: no worker competing for the server core, one API per side.
  await stopProcess(worker);
  await stopProcess(setupApi);
  // A side built before a migration may need what it dropped (an old intake function, say): the
  // SQL in AB_SETUP_SQL runs once on the migrated database, before either side starts.
  const setupSql = process.env.AB_SETUP_SQL;
  if (setupSql) {
    await withDb(config, (db) => db.query(readFileSync(path.resolve(setupSql), 'utf8')));
    log(`  ran ${setupSql} on the database`);
  }
  const handlerPath = new URL(account.handlerUrl).pathname;
  for (const s of sides) {
    const port = await freePort();
    const sideEnv = {
      ...env,
      ...s.extraEnv,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    s.entry = await startApi(sideEnv, `ab-${s.name}`, s);
    s.url = `http://127.0.0.1:${port}${handlerPath}`;
    s.figures = [];
    s.cpuUs = [];
    s.loads = [];
  }

  let leadId = 300_000_000;
  const latencyLoad = (url, duration) =>
    openLoad({
      url,
      rate: config.ack.latencyRate,
      connections: config.ack.latencyConnections,
      seconds: duration,
      contentType: body.contentType,
      make: () => body.make((leadId += 1)),
    });
  const capacityLoad = async (url, duration) =>
    figures(await cannon({ url, kind, seconds: duration, connections: config.ack.connections }));
  const load = mode === 'latency' ? latencyLoad : capacityLoad;
  for (const s of sides) await load(s.url, 5);
  await withDb(config, (db) => db.query('ANALYZE ai_requests'));

  for (let r = 0; r < rounds; r += 1) {
    for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
      await load(s.url, Math.min(3, seconds));
      const cpuBefore = cpuMs(s.entry);
      const result = await load(s.url, seconds);
      const cpuAfter = cpuMs(s.entry);
      assertAlive();
      const { p50, p99, max } = result.latencyMs;
      const notOk = result.non2xx + result.errors;
      // The API's CPU per request answered, in microseconds.
      const cpuUs =
        cpuBefore === null || cpuAfter === null
          ? null
          : round(((cpuAfter - cpuBefore) * 1000) / result.total);
      s.figures.push(mode === 'latency' ? p99 : result.rps);
      s.cpuUs.push(cpuUs);
      s.loads.push({ ...result, cpuUsPerRequest: cpuUs });
      log(
        `  round ${r + 1} ${s.name}: ${mode === 'capacity' ? `${result.rps} req/s, ` : ''}p50 ${p50} p99 ${p99} max ${max} ms, CPU ${cpuUs} µs/request (${notOk} not 2xx)`,
      );
    }
  }
  await stopAll();
  services.restore();

  const summary = sides.map((s) => ({
    name: s.name,
    main: path.relative(ROOT, s.main),
    nodeFlags: s.nodeFlags,
    env: s.extraEnv,
    figures: s.figures,
    median: round(median(s.figures), 1),
    cpuUsPerRequest: s.cpuUs,
    loads: s.loads,
  }));
  const file = path.join(RESULTS_DIR, 'ab.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), mode, body: kind, seconds, rounds, ...(mode === 'latency' ? { rate: config.ack.latencyRate, connections: config.ack.latencyConnections } : { connections: config.ack.connections }), sides: summary }, null, 2)}\n`,
  );
  const unit = mode === 'latency' ? 'ms (p99)' : 'req/s';
  for (const s of summary) {
    process.stdout.write(
      `${s.name}: ${s.figures.join(' / ')} ${unit}, median ${s.median}; API CPU per request ${s.cpuUsPerRequest.join(' / ')} µs\n`,
    );
  }
  if (mode === 'capacity') {
    // Same-round ratios: the machine's state moves between rounds, less within one.
    const ratios = summary[0].figures.map((a, i) => round(summary[1].figures[i] / a, 3));
    process.stdout.write(`B / A per round: ${ratios.join(' / ')}, median ${median(ratios)}\n`);
  }
  log(`bench:ab: wrote ${path.relative(ROOT, file)}`);
}

runBench('bench:ab', main);
