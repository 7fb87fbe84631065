import { LEAD_FIELD_KEYS } from '@gpt-bridge/shared';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap/create-http-app';
import { type Env } from '../../src/config/env.schema';
import { WorkerModule } from '../../src/worker.module';
import { freePort, SandboxProcess } from './sandbox';
import { testEnv, testEnvVars } from './test-env';

export type KommoStack = {
  sandbox: SandboxProcess;
  api: NestFastifyApplication;
  apiUrl: string;
  /** The in-process worker, when asked for. */
  worker?: INestApplicationContext;
  db: DataSource;
  env: Env;
  /** The same configuration as raw variables, for child processes. */
  vars: Record<string, string>;
  stop(): Promise<void>;
};

/** The sandbox's fake AI providers as our providers, reachable through the outbound guard. */
export function aiProviderVars(sandbox: SandboxProcess): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${sandbox.url}/openai/v1`,
    DIFY_BASE_URL: `${sandbox.url}/dify/v1`,
    CHATBASE_BASE_URL: `${sandbox.url}/chatbase/api`,
    OUTBOUND_ALLOWED_HOSTS: new URL(sandbox.url).host,
    INTAKE_SWEEP_INTERVAL_MS: '1000',
    INTAKE_STALE_AFTER_MS: '5000',
  };
}

const CLIENT_ID = '6c6f63616c2d7465-7374-4000-8000-000000000001';

/**
 * The sandbox (a separate process), the HTTP API on a real port (the sandbox calls its redirect
 * URI and uninstall hook), and optionally the worker in this process, configured for each other.
 */
export async function startKommoStack(
  options: { worker?: boolean; vars?: Record<string, string> } = {},
): Promise<KommoStack> {
  const sandbox = await SandboxProcess.start();
  // The fake OpenAI compiles the spec's schemas on first use, which stalls the sandbox for about a
  // second; Kommo requests queued meanwhile would be stamped as one burst and refused (429, then
  // 403) although we sent them spaced. Compile them before anything runs.
  await sandbox.call('POST', '/_sandbox/ai/spec/warm');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  await sandbox.setIntegration({
    client_id: CLIENT_ID,
    client_secret: clientSecret,
    redirect_uri: `${apiUrl}/kommo/oauth/callback`,
    uninstall_hook_url: `${apiUrl}/kommo/uninstall`,
  });
  const vars = testEnvVars({
    PUBLIC_URL: apiUrl,
    KOMMO_CLIENT_ID: CLIENT_ID,
    KOMMO_CLIENT_SECRET: clientSecret,
    KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate,
    KOMMO_CONSENT_URL: `${sandbox.url}/oauth`,
    KOMMO_ACCOUNT_LOOKUP_URL: `${sandbox.url}/central`,
    WIDGET_EXTRA_ORIGINS: sandbox.url,
    // Files install many accounts, some several times; the budget's own test sets it low.
    KOMMO_TOKEN_BUDGET_PER_ACCOUNT: '100',
    KOMMO_TOKEN_BUDGET_TOTAL: '1000',
    ...aiProviderVars(sandbox),
    ...options.vars,
  });
  const env = testEnv(vars);
  const api = await createHttpApp(env);
  await api.listen({ port, host: '127.0.0.1' });
  let worker: INestApplicationContext | undefined;
  if (options.worker) {
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  }
  return {
    sandbox,
    api,
    apiUrl,
    worker,
    db: api.get<DataSource>(getDataSourceToken()),
    env,
    vars,
    async stop() {
      await worker?.close();
      // The next stack's sandbox numbers its accounts from the start again: forget this one's.
      await api.get<DataSource>(getDataSourceToken()).query(`TRUNCATE installations CASCADE`);
      await api.close();
      await sandbox.stop();
    },
  };
}

const WORKER_ENTRY = path.resolve(__dirname, '../../dist/worker.js');
const API_ENTRY = path.resolve(__dirname, '../../dist/main.js');
/** A loaded machine can take this long to start Node and the worker's modules. */
const WORKER_READY_MS = 45_000;

/**
 * The processes this file started and that have not exited. A worker left running (a spawn that
 * timed out, a sibling of one that failed) keeps taking jobs from the same Redis db in the next
 * run, with this run's dead sandbox in its configuration: stopWorkers() stops them all, and they
 * are killed when this process exits whatever happened.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A real worker process (the built `dist/worker.js`, as `pnpm start` runs it). */
export async function spawnWorker(vars: Record<string, string>): Promise<ChildProcess> {
  const env = { ...vars, LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? 'info' };
  return (await spawnBuilt(WORKER_ENTRY, 'worker', env, 'worker started')).child;
}

/**
 * A real API process (the built `dist/main.js`) on `PORT`, with what it has written so far: for
 * what only its own stdout shows (its log lines). Stopped by stopWorkers() like a worker.
 */
export async function spawnApi(
  vars: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  return spawnBuilt(API_ENTRY, 'api', vars, 'Nest application successfully started');
}

async function spawnBuilt(
  entry: string,
  name: string,
  vars: Record<string, string>,
  readyLine: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  // TEST_WORKER_LOG_DIR keeps every spawned process's log after the run (a failure under load is
  // rarely reproduced alone).
  const logFile = process.env.TEST_WORKER_LOG_DIR
    ? path.join(process.env.TEST_WORKER_LOG_DIR, `${name}-${child.pid}.log`)
    : undefined;
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready in ${WORKER_READY_MS} ms: ${output}`)),
        WORKER_READY_MS,
      );
      child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${output}`)));
      child.stdout?.on('data', () => {
        if (output.includes(readyLine)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { child, output: () => output };
}

/** Stops every worker this file started, those a failed spawnWorker call left behind included. */
export async function stopWorkers(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // A worker still starting (or stuck) may not honour SIGTERM in time.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Polls until `accept` holds (or fails with the last value after `ms`). */
export async function waitFor<T>(
  fn: () => Promise<T>,
  accept: (v: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type SettledInstallation = { id: string; host: string; subdomain: string };

/**
 * Waits until the install's own Kommo calls are over: the installation active, its fields
 * provisioned and the account webhook tried (subscribed or refused). A test that counts Kommo's
 * requests afterwards would otherwise also count a late install call (the webhook's read-back).
 */
export async function settledInstallation(
  stack: KommoStack,
  kommoAccountId: number,
): Promise<SettledInstallation> {
  const [row] = await waitFor(
    () =>
      stack.db.query<(SettledInstallation & { fields: number; subscription: string | null })[]>(
        `SELECT i.id, i.host, i.subdomain,
                (SELECT count(*)::int FROM installation_fields f WHERE f.installation_id = i.id) AS fields,
                (SELECT h.subscription_state FROM handoff_settings h WHERE h.installation_id = i.id) AS subscription
           FROM installations i
          WHERE i.kommo_account_id = $1 AND i.status = 'active'`,
        [kommoAccountId],
      ),
    (rows) =>
      rows.length === 1 &&
      rows[0]!.fields === LEAD_FIELD_KEYS.length &&
      rows[0]!.subscription !== null &&
      rows[0]!.subscription !== 'pending',
    30_000,
  );
  return { id: row!.id, host: row!.host, subdomain: row!.subdomain };
}
