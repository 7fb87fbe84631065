// `pnpm start` (after the build): make sure .env exists, then either
// - with a Kommo integration configured (KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET): migrate, then run
//   the API and the worker together until one of them stops or the user presses Ctrl-C;
// - without one: the demo (scripts/demo/run-demo.mjs): the Kommo sandbox with its fake AI
//   providers, the API and the worker wired to it, a demo account installed, and the chat page URL.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_NODE_FLAGS } from './api-node-flags.mjs';
import { migrate, Stopping, Supervisor, waitForHttp } from './demo/processes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const api = (file) => path.join(root, 'apps/api/dist', file);

// First run: a local .env with a fresh encryption key, so nothing secret is ever committed.
function ensureDotEnv() {
  const file = path.join(root, '.env');
  if (existsSync(file) || process.env.ENCRYPTION_KEYS) return;
  const template = readFileSync(path.join(root, '.env.example'), 'utf8');
  const key = `k1:${randomBytes(32).toString('base64')}`;
  writeFileSync(file, template.replace(/^ENCRYPTION_KEYS=.*$/m, `ENCRYPTION_KEYS=${key}`), {
    mode: 0o600,
  });
  console.log(
    'start: created .env with a new ENCRYPTION_KEYS (keep it: it decrypts stored tokens)',
  );
}

ensureDotEnv();
// Set before .env is read: the demo keeps its logs quiet unless the caller asked for a level.
const callerLogLevel = process.env.LOG_LEVEL;
// Real environment variables win over .env (loadEnvFile does not overwrite them).
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

const supervisor = new Supervisor();
supervisor.handleSignals();

const clientId = Boolean(process.env.KOMMO_CLIENT_ID);
const clientSecret = Boolean(process.env.KOMMO_CLIENT_SECRET);
if (clientId !== clientSecret) {
  console.error(
    'start: set both KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET for the real service, or neither for the demo',
  );
  process.exit(1);
}

try {
  if (clientId) await runService();
  else {
    const { runDemo } = await import('./demo/run-demo.mjs');
    await runDemo({ root, supervisor, logLevel: callerLogLevel });
  }
} catch (error) {
  if (!(error instanceof Stopping) && !supervisor.stopping) {
    console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
    supervisor.stopAll(1);
  }
}

/** The real service: Kommo as configured, no sandbox. */
async function runService() {
  migrate(root, process.env);
  for (const name of ['api', 'worker']) {
    supervisor.start(name, api(`${name === 'api' ? 'main' : 'worker'}.js`), {
      cwd: root,
      env: process.env,
      nodeFlags: name === 'api' ? API_NODE_FLAGS : [],
    });
  }
  // Say where things are once the API answers.
  const base = `http://127.0.0.1:${process.env.PORT || '3000'}`;
  if (await waitForHttp(supervisor, `${base}/health`)) {
    console.log(
      `start: GPT Bridge is running: API ${base} (health ${base}/health, admin ${base}/admin/)`,
    );
  }
}
