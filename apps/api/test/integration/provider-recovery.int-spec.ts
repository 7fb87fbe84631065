import { type ChildProcess } from 'node:child_process';
import { type ProviderSettingsInput } from '@gpt-bridge/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type QueryRunner } from 'typeorm';
import { AdminAccountsService } from '../../src/http/admin/admin-accounts.service';
import {
  type KommoStack,
  spawnWorker,
  startKommoStack,
  stopProcess,
  waitFor,
} from '../support/kommo-stack';
import { type SandboxAiCall } from '../support/sandbox';
import {
  createLeadWith,
  installAccount,
  leadValues,
  postJson,
  providerSettings,
  settled,
  setLeadField,
  usageCount,
} from '../support/webhook-stack';

// Paid twice (issue 19 point 13): a worker dies after the provider answered (or while it
// answered), before the outcome was stored, and another worker resumes the request.
let stack: KommoStack | undefined;
let workers: ChildProcess[] = [];
let hold: QueryRunner | undefined;

afterEach(async () => {
  if (hold && !hold.isReleased) await hold.release();
  hold = undefined;
  for (const worker of workers) {
    if (worker.exitCode === null && worker.signalCode === null) await stopProcess(worker);
  }
  workers = [];
  await stack?.stop();
  stack = undefined;
});

type AskRow = {
  id: string;
  status: string;
  answer: string | null;
  provider_asks: number;
  answer_recovered: boolean;
};

async function rowsOf(s: KommoStack, installationId: string): Promise<AskRow[]> {
  return s.db.query<AskRow[]>(
    `SELECT id, status, answer, provider_asks, answer_recovered FROM ai_requests
      WHERE installation_id = $1 ORDER BY seq`,
    [installationId],
  );
}

async function killWorker(worker: ChildProcess): Promise<void> {
  worker.kill('SIGKILL');
  if (worker.exitCode === null && worker.signalCode === null) {
    await new Promise((resolve) => worker.once('exit', resolve));
  }
}

/**
 * Kills the worker right after the provider's answer arrived: a transaction of ours holds the
 * request's row, so the worker's store of the outcome waits; once it waits (and the fake has
 * answered), the worker is killed with SIGKILL. Its blocked session would notice the lost client
 * only when it next wrote to it, so it is ended too, as the crash of a machine would.
 */
async function killAfterAnswer(
  s: KommoStack,
  worker: ChildProcess,
  installationId: string,
  answered: () => Promise<boolean>,
): Promise<void> {
  const [row] = await waitFor(
    () => rowsOf(s, installationId),
    (rows) => rows.length === 1 && rows[0]!.provider_asks > 0,
  );
  hold = s.db.createQueryRunner();
  await hold.connect();
  await hold.startTransaction();
  await hold.query(`SELECT 1 FROM ai_requests WHERE id = $1 FOR UPDATE`, [row!.id]);
  await waitFor(answered, (yes) => yes);
  const waiting = await waitFor(
    () =>
      s.db.query<{ pid: number }[]>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query ILIKE '%ai_requests%' AND pid <> pg_backend_pid()`,
      ),
    (pids) => pids.length >= 1,
  );
  await killWorker(worker);
  for (const { pid } of waiting) await s.db.query(`SELECT pg_terminate_backend($1)`, [pid]);
  await hold.rollbackTransaction();
  await hold.release();
  hold = undefined;
}

const calls = (s: KommoStack, key: string, endpoint: string): Promise<SandboxAiCall[]> =>
  s.sandbox.aiCalls({ key, endpoint });

const answerPatches = async (s: KommoStack, accountId: number, lead: number) =>
  (await s.sandbox.requests({ account_id: accountId, direction: 'in' })).filter(
    (r) => r.method === 'PATCH' && r.path.endsWith(`/api/v4/leads/${lead}`),
  );

type AssistantInput = NonNullable<ProviderSettingsInput['assistant']>;

async function assistantShop(s: KommoStack, key: string, assistant: Partial<AssistantInput>) {
  const shop = await installAccount(s);
  await providerSettings(s).save(shop.installationId, {
    openaiApiKey: key,
    assistant: { provider: 'openai', model: 'gpt-4o-mini', ...assistant },
  });
  return shop;
}

describe('a worker killed after the provider answered', () => {
  it('OpenAI Conversation: the next worker reads the answer back, one paid call, delivered and counted once', async () => {
    const KEY = 'sk-test-recovery-after-01';
    stack = await startKommoStack({ worker: false });
    const first = await spawnWorker(stack.vars);
    workers.push(first);
    const shop = await assistantShop(stack, KEY, { instructions: 'You sell shoes.' });
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 400 });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'Red shoes in 38?' });
    await stack.sandbox.clearRequests();
    expect((await postJson(shop.assistantUrl, { lead_id: lead })).status).toBe(200);

    await killAfterAnswer(stack, first, shop.installationId, async () =>
      (await calls(stack!, KEY, 'responses')).some((call) => call.status === 200),
    );
    workers.push(await spawnWorker(stack.vars));
    await settled(stack, shop.installationId);

    const paid = await calls(stack, KEY, 'responses');
    expect(paid).toHaveLength(1);
    const [row] = await rowsOf(stack, shop.installationId);
    expect(row).toMatchObject({
      status: 'done',
      answer: paid[0]!.answer,
      provider_asks: 2,
      answer_recovered: true,
    });
    expect(await answerPatches(stack, shop.account.id, lead)).toHaveLength(1);
    expect((await leadValues(stack, shop.account.id, lead)).ANSWER).toBe(paid[0]!.answer);
    expect(await usageCount(stack, shop.installationId)).toBe(1);
    const account = await stack.api.get(AdminAccountsService).detail(shop.installationId);
    expect(account).toMatchObject({ reAsks7d: 0, recovered7d: 1 });

    // The lead's memory moved past the recovered turn: the next message is one turn later.
    await setLeadField(stack, shop.account.id, lead, 'PROMPT', 'And in 39?');
    expect((await postJson(shop.assistantUrl, { lead_id: lead })).status).toBe(200);
    await waitFor(
      () => rowsOf(stack!, shop.installationId),
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'done'),
      30_000,
    );
    expect((await leadValues(stack, shop.account.id, lead)).ANSWER).toBe(
      'Echo: And in 39? (turn 2, previous: Red shoes in 38?)',
    );
    expect(await calls(stack, KEY, 'responses')).toHaveLength(2);
    const conversations = (await stack.sandbox.aiConversations()).openai;
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.items).toHaveLength(4);
  }, 120_000);

  it('OpenAI Conversation: killed while the provider answered, the answer is read back too', async () => {
    const KEY = 'sk-test-recovery-during-01';
    stack = await startKommoStack({ worker: false });
    const first = await spawnWorker(stack.vars);
    workers.push(first);
    const shop = await assistantShop(stack, KEY, {});
    // The fake records the turn in the conversation, then takes its time to answer.
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 3_000 });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'Open on Sunday?' });
    expect((await postJson(shop.assistantUrl, { lead_id: lead })).status).toBe(200);
    await waitFor(
      () => calls(stack!, KEY, 'responses'),
      (list) => list.length === 1,
    );
    await killWorker(first);
    workers.push(await spawnWorker(stack.vars));
    await settled(stack, shop.installationId);

    const paid = await calls(stack, KEY, 'responses');
    expect(paid).toHaveLength(1);
    const [row] = await rowsOf(stack, shop.installationId);
    expect(row).toMatchObject({ status: 'done', provider_asks: 2, answer_recovered: true });
    expect(row!.answer).toBe('Echo: Open on Sunday?');
    expect(await answerPatches(stack, shop.account.id, lead)).toHaveLength(1);
    expect(await usageCount(stack, shop.installationId)).toBe(1);
  }, 120_000);

  it('OpenAI-compatible (nothing to read back): asked again, with the history as it was', async () => {
    const KEY = 'sk-test-recovery-compatible-01';
    stack = await startKommoStack({ worker: false });
    const first = await spawnWorker(stack.vars);
    workers.push(first);
    const shop = await assistantShop(stack, KEY, {
      provider: 'openai_compatible',
      apiKey: KEY,
      baseUrl: `${stack.sandbox.url}/openai/v1`,
    });
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 400 });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'Do you ship to Lima?' });
    expect((await postJson(shop.assistantUrl, { lead_id: lead })).status).toBe(200);

    await killAfterAnswer(stack, first, shop.installationId, async () =>
      (await calls(stack!, KEY, 'chat.completions')).some((call) => call.status === 200),
    );
    workers.push(await spawnWorker(stack.vars));
    await settled(stack, shop.installationId);

    const paid = await calls(stack, KEY, 'chat.completions');
    expect(paid).toHaveLength(2);
    // The lost answer was stored with its outcome or not at all: the second call carries the
    // question once, not the first call's turn as history.
    const messages = (paid[1]!.body as { messages: { role: string }[] }).messages;
    expect(messages.map((m) => m.role)).toEqual(['user']);
    const memory = await stack.db.query<{ state: { history: { role: string }[] } }[]>(
      `SELECT state FROM lead_conversations WHERE installation_id = $1 AND lead_id = $2`,
      [shop.installationId, lead],
    );
    expect(memory[0]!.state.history.map((turn) => turn.role)).toEqual(['user', 'assistant']);
    const [row] = await rowsOf(stack, shop.installationId);
    expect(row).toMatchObject({ status: 'done', provider_asks: 2, answer_recovered: false });
    expect(await answerPatches(stack, shop.account.id, lead)).toHaveLength(1);
    expect(await usageCount(stack, shop.installationId)).toBe(1);
    const account = await stack.api.get(AdminAccountsService).detail(shop.installationId);
    expect(account).toMatchObject({ reAsks7d: 1, recovered7d: 0 });
  }, 120_000);
});
