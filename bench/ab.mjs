// `pnpm bench:ab`: two builds or flag sets of the API side by side on one stack (one database,
// Redis prefix, sandbox and account), both on the server core, with fixed-rate loads alternating
// between them. On this VM single loads move ±50 %; alternating rounds on one stack is what made
// a difference visible (docs/performance.md, "Comparing two versions").
import path from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { bodyFactory } from './lib/bodies.mjs';
import { loadBenchConfig } from './lib/config.mjs';
import { openLoad } from './lib/open-load.mjs';
import { pinServices } from './lib/pin-services.mjs';
import { assertAlive, freePort, pinning, pinSelf, stopAll, stopProcess } from './lib/processes.mjs';
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
  const main = path.resolve(ROOT, dist, 'main.js');
  if (!existsSync(main)) throw new Error(`AB_${name}_DIST: ${main} does not exist (pnpm build?)`);
  return {
    name,
    main,
    nodeFlags: flags === undefined ? API_NODE_FLAGS : flags.split(' ').filter(Boolean),
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
  const body = bodyFactory(kind);
  pinSelf();
  const services = pinServices(config.pinServices);
  log(`bench:ab: ${pinning.note}; ${services.note}`);
  for (const s of sides) {
    log(`  ${s.name}: node ${[...s.nodeFlags, path.relative(ROOT, s.main)].join(' ')}`);
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
  const handlerPath = new URL(account.handlerUrl).pathname;
  for (const s of sides) {
    const port = await freePort();
    const sideEnv = { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    await startApi(sideEnv, `ab-${s.name}`, s);
    s.url = `http://127.0.0.1:${port}${handlerPath}`;
    s.p99 = [];
    s.loads = [];
  }

  let leadId = 300_000_000;
  const load = (url, duration) =>
    openLoad({
      url,
      rate: config.ack.latencyRate,
      connections: config.ack.latencyConnections,
      seconds: duration,
      contentType: body.contentType,
      make: () => body.make((leadId += 1)),
    });
  for (const s of sides) await load(s.url, 5);
  await withDb(config, (db) => db.query('ANALYZE ai_requests'));

  for (let r = 0; r < rounds; r += 1) {
    for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
      await load(s.url, Math.min(3, seconds));
      const result = await load(s.url, seconds);
      assertAlive();
      const { p50, p99, max } = result.latencyMs;
      s.p99.push(p99);
      s.loads.push(result);
      log(
        `  round ${r + 1} ${s.name}: p50 ${p50} p99 ${p99} max ${max} ms (${result.non2xx + result.errors} not 2xx)`,
      );
    }
  }
  await stopAll();
  services.restore();

  const summary = sides.map((s) => ({
    name: s.name,
    main: path.relative(ROOT, s.main),
    nodeFlags: s.nodeFlags,
    p99s: s.p99,
    p99Median: round(median(s.p99), 1),
    loads: s.loads,
  }));
  const file = path.join(RESULTS_DIR, 'ab.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), body: kind, seconds, rounds, rate: config.ack.latencyRate, connections: config.ack.latencyConnections, sides: summary }, null, 2)}\n`,
  );
  for (const s of summary) {
    process.stdout.write(`${s.name}: p99 ${s.p99s.join(' / ')} ms, median ${s.p99Median} ms\n`);
  }
  log(`bench:ab: wrote ${path.relative(ROOT, file)}`);
}

let stopping = false;
async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  log(`bench:ab: ${reason}`);
  await stopAll();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void shutdown(130, `stopped by ${signal}`));
}
main().catch((error) => void shutdown(1, `failed: ${error.stack ?? error}`));
