// `pnpm start` (after the build): make sure .env exists, migrate, then run the API and the worker
// together until one of them stops or the user presses Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
// Real environment variables win over .env (loadEnvFile does not overwrite them).
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const migrate = spawnSync(process.execPath, [api('cli/migrate.js')], {
  cwd: root,
  stdio: 'inherit',
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = [
  { name: 'api', file: api('main.js') },
  { name: 'worker', file: api('worker.js') },
].map(({ name, file }) => ({
  name,
  child: spawn(process.execPath, [file], { cwd: root, stdio: 'inherit' }),
}));

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const { name, child } of children) {
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`start: ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
    }
    stopAll(code === 0 ? 0 : 1);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));

// Say where things are once the API answers.
const port = process.env.PORT ?? '3000';
const base = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 30_000;
while (!stopping && Date.now() < deadline) {
  try {
    const response = await fetch(`${base}/health`);
    if (response.ok) {
      console.log(
        `start: GPT Bridge is running: API ${base} (health ${base}/health, admin ${base}/admin/)`,
      );
      break;
    }
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 500));
}
