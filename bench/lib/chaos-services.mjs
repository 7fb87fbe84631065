// Private PostgreSQL and Redis for `pnpm bench:chaos`: a fresh cluster and a fresh Redis on ports
// of their own, started, killed and restarted by the run itself. A fault run must never touch the
// machine's services (other people's tests and benches use them).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild } from './processes.mjs';
import { apiRequire, LOG_DIR } from './stack.mjs';

const pg = apiRequire('pg');
const IORedis = apiRequire('ioredis');
const Redis = IORedis.default ?? IORedis;

/** The newest /usr/lib/postgresql/<n>/bin with initdb, else pg_config's; CHAOS_PG_BIN wins. */
export function pgBinDir(explicit) {
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(root, versions[0], 'bin');
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout?.trim();
  if (fromConfig && existsSync(path.join(fromConfig, 'initdb'))) return fromConfig;
  throw new Error('no PostgreSQL server binaries found: set CHAOS_PG_BIN to the dir with initdb');
}

/** PostgreSQL will not run as root: as root we run it as the `postgres` user. */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a postgres user');
  return { uid, gid };
}

/** A temp folder for both data dirs, owned by whoever runs PostgreSQL; removed by cleanup(). */
export function makeBaseDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gptb-chaos-'));
  const { uid, gid } = serverUser();
  if (uid !== undefined) chownSync(dir, uid, gid);
  return dir;
}

/**
 * A fresh cluster (initdb, trust auth for the `postgres` role) listening on 127.0.0.1:`port`;
 * `spawn(life)` starts the server (the same data dir every life), `isReady()` connects.
 */
export function privatePostgres({ port, binDir, baseDir }) {
  const user = serverUser();
  const dataDir = path.join(baseDir, 'pgdata');
  const logFile = path.join(LOG_DIR, 'chaos-postgres.log');
  const init = spawnSync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { ...user, encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C' } },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${baseDir}`,
    // The API (20) and two workers (20 + their lead-lock pools of AI_WORKER_CONCURRENCY each).
    '-c',
    'max_connections=300',
  ];
  const url = `postgres://postgres@127.0.0.1:${port}`;
  return {
    url,
    spawn: (life) =>
      startChild(`postgres (life ${life})`, path.join(binDir, 'postgres'), args, {
        ...user,
        env: { PATH: process.env.PATH, LANG: 'C' },
        logFile,
        append: life > 1,
        // A fast shutdown at the end; the exit hook's last resort is an immediate one.
        stopSignal: 'SIGINT',
        lastResortSignal: 'SIGQUIT',
      }),
    async isReady() {
      const client = new pg.Client({
        connectionString: `${url}/postgres`,
        connectionTimeoutMillis: 1000,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/**
 * Redis as production's docker/compose.yml runs it (noeviction, AOF everysec), so a restart keeps
 * the queue as it would there: after a SIGKILL up to a second of writes is lost, after a SIGTERM
 * (a clean shutdown, AOF flushed) nothing.
 */
export function privateRedis({ port, baseDir }) {
  const dir = path.join(baseDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(LOG_DIR, 'chaos-redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
  ];
  const url = `redis://127.0.0.1:${port}/0`;
  return {
    url,
    spawn: (life) =>
      startChild(`redis (life ${life})`, 'redis-server', args, {
        env: { PATH: process.env.PATH },
        logFile,
        append: life > 1,
      }),
    async isReady() {
      const client = new Redis(url, {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        lazyConnect: true,
        connectTimeout: 1000,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        // A restarted Redis answers LOADING while it replays the AOF.
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    },
  };
}

/** Removes the temp data dirs (PostgreSQL and Redis must be stopped first). */
export function cleanup(baseDir) {
  if (baseDir) rmSync(baseDir, { recursive: true, force: true });
}
