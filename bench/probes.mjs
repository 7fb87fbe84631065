// `pnpm bench:probes` (issue 19, docs/security-probes.md): named attacks on the BUILT API, a second
// API process and the worker, each with the outcome that is safe, against a stack of its own (the
// Kommo sandbox with accounts installed through it). Prints PASS/FAIL per probe and ends with
// `probes: N tried, M failed`; exits 1 when any failed. Loopback only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRun } from './lib/probe-kit.mjs';
import { createFixtures } from './lib/probe-fixtures.mjs';
import { budgetProbes, slowClientProbes } from './lib/probes-budgets.mjs';
import { headerProbes } from './lib/probes-headers.mjs';
import { inputProbes } from './lib/probes-input.mjs';
import { secretProbes } from './lib/probes-secrets.mjs';
import { ssrfProbes } from './lib/probes-ssrf.mjs';
import { tokenProbes } from './lib/probes-tokens.mjs';
import { unauthProbes } from './lib/probes-unauth.mjs';
import { freePort, pinSelf, stopAll } from './lib/processes.mjs';
import {
  appEnv,
  checkBuilt,
  configureIntegration,
  installAccounts,
  LOG_DIR,
  resetStores,
  ROOT,
  startApi,
  startSandbox,
  startWorker,
} from './lib/stack.mjs';

const t0 = Date.now();
const log = (line) => process.stderr.write(`${line} (${Math.round((Date.now() - t0) / 1000)} s)\n`);

// In order; PROBES_ONLY=a,b runs some (slow-clients and secrets are started and run apart).
const GROUPS = {
  unauthenticated: unauthProbes,
  'bad-input': inputProbes,
  tokens: tokenProbes,
  ssrf: ssrfProbes,
  headers: headerProbes,
  'rate-budgets': budgetProbes,
  'slow-clients': null,
  secrets: null,
};

function loadConfig() {
  const config = {
    databaseUrl:
      process.env.PROBES_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/gpt_bridge_probes',
    redisUrl: process.env.PROBES_REDIS_URL || 'redis://127.0.0.1:6379/15',
    redisPrefix: 'probes',
    // As production runs: request lines at info. The secrets probes grep these logs.
    logLevel: 'info',
    apiPort: Number(process.env.PROBES_API_PORT || 3142),
    sandboxPort: Number(process.env.PROBES_SANDBOX_PORT || 4142),
  };
  // The run drops and recreates this database: never let it point at real data.
  if (!/probes/.test(new URL(config.databaseUrl).pathname)) {
    throw new Error('PROBES_DATABASE_URL must name a database containing "probes" (it is dropped)');
  }
  return config;
}

/** An admin panel user made with `pnpm admin:create-user`'s CLI; its password is a known secret. */
function createAdminUser(env, email, role) {
  const password = `probe-pw-${randomBytes(12).toString('base64url')}`;
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'apps/api/dist/cli/create-admin-user.js'), '--email', email, '--role', role],
    {
      cwd: path.join(ROOT, 'bench'),
      env: { ...env, ADMIN_PASSWORD: password },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (result.status !== 0) throw new Error(`create-admin-user ${email}: ${result.stderr}`);
  return { email, password, role };
}

async function main() {
  const started = Date.now();
  const config = loadConfig();
  checkBuilt();
  pinSelf();
  log('probes: fresh database and Redis prefix');
  await resetStores(config);
  const stateFile = path.join(os.tmpdir(), `gptb-probes-sandbox-${process.pid}.json`);
  rmSync(stateFile, { force: true });
  const sandbox = await startSandbox({
    port: config.sandboxPort,
    stateFile,
    label: 'probes-sandbox',
  });
  const env = appEnv(config, sandbox, config.apiPort);
  await configureIntegration(sandbox, env.PUBLIC_URL);
  await sandbox.call('POST', '/_sandbox/ai/spec/warm');
  // A second API process behind the same public URL (as behind a load balancer): sign-in limits
  // must hold across both.
  const portB = await freePort();
  const envB = {
    ...env,
    PORT: String(portB),
    PUBLIC_URL: `http://127.0.0.1:${portB}`,
    KOMMO_REDIRECT_URI: `${env.PUBLIC_URL}/kommo/oauth/callback`,
  };
  log('probes: starting two API processes and a worker');
  await Promise.all([startApi(env, 'probes-a'), startApi(envB, 'probes-b')]);
  await startWorker(env, 'probes');
  log('probes: installing three sandbox accounts');
  const installed = await installAccounts(config, sandbox, env.PUBLIC_URL, 3, 'probe');
  const users = {
    admin: createAdminUser(env, 'probe-admin@probes.example', 'admin'),
    support: createAdminUser(env, 'probe-support@probes.example', 'support'),
    lockA: createAdminUser(env, 'probe-lock-a@probes.example', 'support'),
    lockB: createAdminUser(env, 'probe-lock-b@probes.example', 'support'),
  };
  const fx = await createFixtures({ config, env, envB, sandbox, installed, users });
  log('probes: stack ready');

  const run = createRun();
  const only = new Set((process.env.PROBES_ONLY || Object.keys(GROUPS).join(',')).split(','));
  const groups = Object.entries(GROUPS).filter(([name]) => only.has(name));
  // Slow clients need the server's request timeout (30 s) to pass: started first, checked last.
  const slow = only.has('slow-clients') ? slowClientProbes(fx) : null;
  for (const [, probes] of groups) if (probes) await probes(run, fx);
  await slow?.finish(run);
  // Last, so every secret the run used is known and every log line is written.
  if (only.has('secrets')) await secretProbes(run, fx, { stateFile, logDir: LOG_DIR });

  const failed = run.results.filter((r) => !r.ok);
  const byGroup = new Map();
  for (const r of run.results) {
    const entry = byGroup.get(r.group) ?? { tried: 0, failed: 0 };
    entry.tried += 1;
    if (!r.ok) entry.failed += 1;
    byGroup.set(r.group, entry);
  }
  process.stdout.write('\n');
  for (const [group, { tried, failed: f }] of byGroup) {
    process.stdout.write(`  ${group}: ${tried} tried, ${f} failed\n`);
  }
  process.stdout.write(
    `probes: ${run.results.length} tried, ${failed.length} failed (${Math.round((Date.now() - started) / 1000)} s)\n`,
  );
  if (existsSync(stateFile)) rmSync(stateFile, { force: true });
  return failed.length === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error) => {
    log(`probes: ${error.stack ?? error.message}`);
    await stopAll();
    process.exit(2);
  });
