// The processes `pnpm start` runs (API, worker and, in the demo, the sandbox): started together,
// stopped together when one of them stops, on Ctrl-C or on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** Thrown by waits that end because everything is stopping. */
export class Stopping extends Error {
  constructor() {
    super('stopping');
  }
}

export class Supervisor {
  children = [];
  stopping = false;

  /**
   * `quiet` keeps the child's stdout to itself (read it through `child.stdout`); `nodeFlags` go
   * before the script.
   */
  start(name, file, { env, cwd, quiet = false, nodeFlags = [] }) {
    this.check();
    const child = spawn(process.execPath, [...nodeFlags, file], {
      cwd,
      env,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'inherit'],
    });
    this.children.push({ name, child });
    child.on('exit', (code, signal) => {
      if (!this.stopping) {
        console.error(`start: ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
      }
      this.stopAll(code === 0 ? 0 : 1);
    });
    return child;
  }

  stopAll(code) {
    if (this.stopping) return;
    this.stopping = true;
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    process.exitCode = code;
  }

  /** Ctrl-C and SIGTERM stop every child; this process ends once they have exited. */
  handleSignals() {
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => this.stopAll(0));
  }

  /** Fails with `Stopping` once the children are being stopped. */
  check() {
    if (this.stopping) throw new Stopping();
  }
}

/** Applies migrations (and creates the database when missing) with `env`; exits on failure. */
export function migrate(root, env) {
  const result = spawnSync(process.execPath, [path.join(root, 'apps/api/dist/cli/migrate.js')], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `url` answers 2xx; false after `timeoutMs`. */
export async function waitForHttp(supervisor, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    supervisor.check();
    try {
      const response = await fetch(url);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}
