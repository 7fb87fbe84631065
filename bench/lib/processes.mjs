// Child processes of a bench run: pinned to a core, logging to a file, and always stopped, even
// when the run fails or is interrupted (no stray servers left on a shared machine).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

const live = new Set();
const crashes = [];

/** Servers on core 0, this process (load generator, sandbox, senders) on core 1, when possible. */
export const pinning = (() => {
  const cores = os.cpus().length;
  if (cores < 2) return { enabled: false, note: `not pinned: ${cores} core` };
  if (spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status !== 0) {
    return { enabled: false, note: 'not pinned: taskset is not available' };
  }
  return {
    enabled: true,
    serverCore: 0,
    loadCore: 1,
    note: 'API, worker and baseline pinned to core 0; load generator, sandbox and this script to core 1 (taskset)',
  };
})();

/** Moves this process (every thread) to the load core; children inherit it unless pinned. */
export function pinSelf() {
  if (pinning.enabled) setAffinity(process.pid, pinning.loadCore);
}

/** Moves a running process, every thread (-a), to `cores` (a taskset list); false if refused. */
export function setAffinity(pid, cores) {
  return (
    spawnSync('taskset', ['-a', '-c', '-p', String(cores), String(pid)], { stdio: 'ignore' })
      .status === 0
  );
}

/**
 * Starts `node [nodeFlags] script` with its output in `logFile`; `core` pins it when pinning is
 * possible (undefined or null: not pinned).
 */
export function startNode(name, script, { env, cwd, logFile, core, nodeFlags = [] }) {
  return startChild(name, process.execPath, [...nodeFlags, script], { env, cwd, logFile, core });
}

/**
 * Starts any program, watched like startNode's children. `uid`/`gid` run it as another user
 * (PostgreSQL refuses root); `append` keeps an earlier life's log; `stopSignal` is what stopProcess sends first (SIGTERM by default),
 * `lastResortSignal` what the exit hook sends (SIGKILL by default).
 */
export function startChild(
  name,
  command,
  args,
  {
    env,
    cwd,
    logFile,
    core,
    uid,
    gid,
    append = false,
    stopSignal = 'SIGTERM',
    lastResortSignal = 'SIGKILL',
  },
) {
  const fd = openSync(logFile, append ? 'a' : 'w');
  const pinned = pinning.enabled && core !== undefined && core !== null;
  const options = { cwd, env, stdio: ['ignore', fd, fd], uid, gid };
  // taskset execs the program, so the child's pid is its own (memory is read from /proc/<pid>).
  const child = pinned
    ? spawn('taskset', ['-c', String(core), command, ...args], options)
    : spawn(command, args, options);
  closeSync(fd);
  const entry = { name, child, logFile, stopping: false, stopSignal, lastResortSignal };
  live.add(entry);
  entry.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(entry);
      entry.exit = { code, signal, at: Date.now() };
      if (!entry.stopping) {
        crashes.push(`${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}`);
      }
      resolve(entry.exit);
    });
  });
  return entry;
}

/** Kills a child on purpose (not counted as a crash) and resolves when it has exited. */
export async function killProcess(entry, signal = 'SIGKILL') {
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) return entry.exit;
  entry.stopping = true;
  entry.child.kill(signal);
  return entry.exited;
}

/** Every "exited unexpectedly" line so far (children that died without being stopped or killed). */
export function unexpectedExits() {
  return [...crashes];
}

/** Throws when a child died on its own: the figures of a run without it would be meaningless. */
export function assertAlive() {
  if (crashes.length > 0) throw new Error(crashes.join('\n'));
}

export async function stopProcess(entry, graceMs = 10_000) {
  if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null) return;
  entry.stopping = true;
  const exited = new Promise((resolve) => entry.child.once('exit', resolve));
  entry.child.kill(entry.stopSignal ?? 'SIGTERM');
  const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...live].map((entry) => stopProcess(entry)));
}

// Last resort (uncaught error, process.exit): nothing may outlive the bench.
process.on('exit', () => {
  for (const entry of live) entry.child.kill(entry.lastResortSignal ?? 'SIGKILL');
});

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitForLog(entry, marker, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assertAlive();
    if (existsSync(entry.logFile) && readFileSync(entry.logFile, 'utf8').includes(marker)) return;
    await sleep(100);
  }
  throw new Error(
    `${entry.name} did not log "${marker}" within ${timeoutMs} ms; see ${entry.logFile}`,
  );
}

export async function waitForHttp(entry, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assertAlive();
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `${entry.name} did not answer ${url} within ${timeoutMs} ms; see ${entry.logFile}`,
  );
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a bench script's `main`; on failure or SIGINT/SIGTERM, stops every child first and exits.
 * `exitWhenDone`: exit 0 after success too (kept-alive sockets would hold the process open).
 */
export function runBench(name, main, { exitWhenDone = false } = {}) {
  let stopping = false;
  const shutdown = async (code, reason) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${reason}\n`);
    await stopAll();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => void shutdown(130, `stopped by ${signal}`));
  }
  main().then(
    () => exitWhenDone && process.exit(0),
    (error) => void shutdown(1, `failed: ${error.stack ?? error}`),
  );
}
