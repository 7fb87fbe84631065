import {
  isStoredErrorClass,
  LEAD_FIELD_KEYS,
  leadFieldCode,
  type LeadFieldKey,
  type StoredErrorClass,
} from '@gpt-bridge/shared';
import { readdirSync, readFileSync } from 'node:fs';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import { ProviderSettingsService } from '../../src/domain/requests/provider-settings.service';
import { WebhookTokens } from '../../src/domain/installations/webhook-tokens.service';
import { QueueName } from '../../src/queues/job-catalogue';
import { type KommoStack, settledInstallation, waitFor } from './kommo-stack';
import { type SandboxAccount, type SandboxLead } from './sandbox';

export type InstalledAccount = {
  account: SandboxAccount;
  installationId: string;
  chatgptUrl: string;
  assistantUrl: string;
  chatgptWidgetUrl: string;
  assistantWidgetUrl: string;
};

let made = 0;

/** A sandbox account installed through Kommo's install call, fields provisioned, URLs known. */
export async function installAccount(stack: KommoStack): Promise<InstalledAccount> {
  made += 1;
  const account = await stack.sandbox.createAccount({ subdomain: `shop${made}x${Date.now()}` });
  await stack.sandbox.install(account.id);
  const installationId = (await settledInstallation(stack, account.id)).id;
  const urls = await stack.api.get(WebhookTokens).urls(installationId);
  const of = (kind: 'chatgpt' | 'assistant') => urls.find((u) => u.kind === kind)!;
  return {
    account,
    installationId,
    chatgptUrl: of('chatgpt').handlerUrl,
    assistantUrl: of('assistant').handlerUrl,
    chatgptWidgetUrl: of('chatgpt').widgetRequestUrl,
    assistantWidgetUrl: of('assistant').widgetRequestUrl,
  };
}

export function providerSettings(stack: KommoStack): ProviderSettingsService {
  return stack.api.get(ProviderSettingsService);
}

/** A lead's field values by our keys. */
export async function leadValues(
  stack: KommoStack,
  accountId: number,
  leadId: number,
): Promise<Partial<Record<LeadFieldKey, string>>> {
  const lead: SandboxLead = await stack.sandbox.lead(accountId, leadId);
  return Object.fromEntries(
    LEAD_FIELD_KEYS.map((key) => [key, lead.fields[leadFieldCode(key)]]).filter(
      ([, value]) => value !== undefined && value !== null && value !== '',
    ),
  ) as Partial<Record<LeadFieldKey, string>>;
}

export async function createLeadWith(
  stack: KommoStack,
  accountId: number,
  values: Partial<Record<LeadFieldKey, string>>,
): Promise<number> {
  const fields = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [leadFieldCode(key as LeadFieldKey), value]),
  );
  const lead = await stack.sandbox.createLead(accountId, { fields });
  return lead.id;
}

export type RequestRow = {
  id: string;
  status: string;
  lead_id: string | null;
  error_class: StoredErrorClass | null;
  error_message: string | null;
  log_line: string | null;
  duplicate_of: string | null;
  provider: string | null;
  model: string | null;
  reached_provider: boolean;
};

/**
 * The installation's requests, in order. Every error_class read here must be one of the shared
 * STORED_ERROR_CLASSES (what the admin panel and the widget are typed against): the files that
 * read rows through this check every class the pipeline, the intake and the eraser wrote.
 */
export async function requestRows(
  stack: KommoStack,
  installationId: string,
): Promise<RequestRow[]> {
  const rows = await stack.db.query<(Omit<RequestRow, 'error_class'> & { error_class: unknown })[]>(
    `SELECT id, status, lead_id, error_class, error_message, log_line, duplicate_of, provider,
            model, reached_provider
       FROM ai_requests WHERE installation_id = $1 ORDER BY seq`,
    [installationId],
  );
  return rows.map((row) => {
    const { error_class: errorClass } = row;
    if (errorClass !== null && !isStoredErrorClass(errorClass)) {
      throw new Error(`ai_requests.error_class ${JSON.stringify(errorClass)} is not stored`);
    }
    return { ...row, error_class: errorClass };
  });
}

export async function usageCount(stack: KommoStack, installationId: string): Promise<number> {
  const rows = await stack.db.query<{ n: string | null }[]>(
    `SELECT sum(requests) AS n FROM usage_daily WHERE installation_id = $1`,
    [installationId],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Resolves once no request of the installation is pending. A timeout says where the recovery
 * stands (recoveryReport): the restarted-worker tests once stalled on another file's sweeper turn
 * (test-env.ts, TEST_REDIS_PREFIX).
 */
export async function settled(stack: KommoStack, installationId: string): Promise<RequestRow[]> {
  try {
    return await waitFor(
      () => requestRows(stack, installationId),
      (rows) => rows.every((r) => !['queued', 'processing', 'answered'].includes(r.status)),
      30_000,
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n${await recoveryReport(stack, installationId).catch(String)}`,
      { cause: error },
    );
  }
}

/** Every running worker process on this machine, with the stores it works on. */
function runningWorkers(): { pid: number; ppid: string; database?: string; redis?: string }[] {
  const found = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('dist/worker.js')) continue;
      const env = new Map(
        readFileSync(`/proc/${entry}/environ`, 'utf8')
          .split('\0')
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
      const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      found.push({
        pid: Number(entry),
        ppid: ppid ?? '?',
        database: env.get('DATABASE_URL'),
        redis: env.get('REDIS_URL'),
      });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * What a stalled recovery looks like from outside, for a failure message: the requests, this
 * database's sessions and advisory locks, the ai queue's jobs, the Kommo budget's Redis keys and
 * the sandbox's last calls, the turn keys among them. (It showed the sweeper turn another file
 * had left; TEST_WORKER_LOG_DIR keeps the workers' own logs.)
 */
export async function recoveryReport(stack: KommoStack, installationId: string): Promise<string> {
  const queue = stack.api.get<Queue>(getQueueToken(QueueName.Ai));
  const ids = (jobs: { id: unknown }[]) => jobs.map((job) => job.id);
  const report = {
    rows: await stack.db.query<unknown[]>(
      `SELECT lead_id, status, attempts, provider_asks, received_at, started_at, now() AS now
         FROM ai_requests WHERE installation_id = $1 ORDER BY seq`,
      [installationId],
    ),
    sessions: await stack.db.query<unknown[]>(
      `SELECT pid, state, wait_event_type, wait_event, left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    ),
    advisoryLocks: await stack.db.query<unknown[]>(
      `SELECT pid, classid, objid, granted FROM pg_locks
        WHERE locktype = 'advisory'
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    ),
    jobs: {
      counts: await queue.getJobCounts(),
      active: ids(await queue.getActive()),
      waiting: ids(await queue.getWaiting()),
      delayed: ids(await queue.getDelayed()),
    },
    redis: await Promise.all(
      (await queue.client.keys('*kommo-*'))
        .concat(await queue.client.keys('*sweep*'))
        .map(async (key) => ({ key, pttl: await queue.client.pttl(key) })),
    ),
    kommo: (await stack.sandbox.requests()).slice(-20),
    // A worker of another test file on the same stores would take this one's jobs and sweeps.
    testProcess: process.pid,
    workers: runningWorkers(),
  };
  return JSON.stringify(report, null, 1);
}

export async function aiQueueIdle(stack: KommoStack): Promise<void> {
  const queue = stack.api.get<Queue>(getQueueToken(QueueName.Ai));
  await waitFor(
    async () => {
      const counts = await queue.getJobCounts();
      return counts.active + counts.waiting + counts.delayed;
    },
    (busy) => busy === 0,
  );
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** What Kommo's salesbot "Send webhook" step posts (docs/kommo-contract.md §1): no fields. */
export function observedWebhookBody(account: { id: number; subdomain: string }, lead: number) {
  return [
    `leads%5Badd%5D%5B0%5D%5Bid%5D=${lead}`,
    'leads%5Badd%5D%5B0%5D%5Bstatus_id%5D=142',
    'leads%5Badd%5D%5B0%5D%5Bpipeline_id%5D=7012345',
    `account%5Bid%5D=${account.id}`,
    `account%5Bsubdomain%5D=${account.subdomain}`,
  ].join('&');
}

export async function postForm(url: string, body: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** Sets one of our fields on a lead in the sandbox, as the salesbot's "set field" step does. */
export async function setLeadField(
  stack: KommoStack,
  accountId: number,
  leadId: number,
  key: LeadFieldKey,
  value: string,
): Promise<void> {
  await stack.sandbox.call(
    'PUT',
    `/_sandbox/accounts/${accountId}/leads/${leadId}/fields/${leadFieldCode(key)}`,
    { value },
  );
}
