import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdminUser } from '../support/admin-client';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  postJson,
  providerSettings,
  settled,
  usageCount,
} from '../support/webhook-stack';

// Issue 19 §16: support erases one lead's data on the customer's request. The lead's requests
// lose their texts, its conversation memory is forgotten (the next message starts a new
// conversation at the provider), the action is audited; other leads and the counts stay.
const KEY = 'sk-test-lead-erase-0001';
const SUPPORT = { email: 'erasure@gptbridge.test', password: 'erasure desk password 1' };

let stack: KommoStack;
let shop: InstalledAccount;
let support: AdminClient;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: KEY,
    assistant: { provider: 'openai', model: 'gpt-4o-mini' },
  });
  await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' } });
  await createAdminUser(stack, SUPPORT.email, 'support', SUPPORT.password);
  support = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
});

afterAll(async () => {
  await stack?.stop();
});

/** One customer message through the Assistant webhook, answered. */
async function ask(leadId: number): Promise<void> {
  expect((await postJson(shop.assistantUrl, { lead_id: leadId })).status).toBe(200);
  await settled(stack, shop.installationId);
}

/** The conversation each of the lead's Responses calls went to, oldest first. */
async function conversationsOf(prompt: string): Promise<string[]> {
  const calls = await stack.sandbox.aiCalls({ key: KEY, endpoint: 'responses' });
  return calls
    .filter((call) => JSON.stringify(call.body).includes(prompt))
    .map((call) => (call.body as { conversation: string }).conversation);
}

const rowsOf = (leadId: number) =>
  stack.db.query<
    {
      status: string;
      answer: string | null;
      log_line: string | null;
      total_tokens: number | null;
      texts_removed_at: Date | null;
    }[]
  >(
    `SELECT status, answer, log_line, total_tokens, texts_removed_at FROM ai_requests
      WHERE installation_id = $1 AND lead_id = $2 ORDER BY seq`,
    [shop.installationId, leadId],
  );

const memoryOf = async (leadId: number) =>
  (
    await stack.db.query<{ state: { conversationId?: string } }[]>(
      `SELECT state FROM lead_conversations WHERE installation_id = $1 AND lead_id = $2`,
      [shop.installationId, leadId],
    )
  )[0]?.state;

describe('erasing one lead (admin API)', () => {
  let ana: number;
  let ben: number;

  beforeAll(async () => {
    ana = await createLeadWith(stack, shop.account.id, { PROMPT: 'Ana here, my card is 4242' });
    ben = await createLeadWith(stack, shop.account.id, { PROMPT: 'Ben here, size 44 please' });
    await ask(ana);
    await ask(ana);
    await ask(ben);
  });

  it('removes the lead texts and memory, answers with counts, and is audited', async () => {
    const first = await conversationsOf('Ana here');
    expect(first).toHaveLength(2);
    expect(first[1]).toBe(first[0]); // one conversation per lead, remembered
    // The trace keeps the prompt as sent until the erase: it must go with the other texts.
    const prompts = await stack.db.query<{ prompt_text: string | null }[]>(
      `SELECT prompt_text FROM ai_requests WHERE installation_id = $1 AND lead_id = $2`,
      [shop.installationId, ana],
    );
    expect(prompts.map((p) => p.prompt_text)).toEqual([
      'Ana here, my card is 4242',
      'Ana here, my card is 4242',
    ]);
    const benBefore = await rowsOf(ben);
    const usageBefore = await usageCount(stack, shop.installationId);

    const erased = await support.post(
      `/admin/api/accounts/${shop.installationId}/leads/${ana}/erase`,
    );
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({
      leadId: ana,
      requestsCleared: 2,
      pendingEnded: 0,
      conversationsForgotten: 1,
    });

    const anaRows = await rowsOf(ana);
    expect(anaRows).toHaveLength(2);
    for (const row of anaRows) {
      expect(row).toMatchObject({ status: 'done', answer: null, log_line: null });
      expect(row.total_tokens).toBeGreaterThan(0);
      expect(row.texts_removed_at).toBeInstanceOf(Date);
    }
    const raw = await stack.db.query<unknown[]>(
      `SELECT * FROM ai_requests WHERE installation_id = $1 AND lead_id = $2`,
      [shop.installationId, ana],
    );
    expect(JSON.stringify(raw)).not.toMatch(/4242|Ana here/);
    expect(await memoryOf(ana)).toBeUndefined();
    // Ben is untouched; usage counts stay.
    expect(await rowsOf(ben)).toEqual(benBefore);
    expect((await memoryOf(ben))?.conversationId).toMatch(/^conv_/);
    expect(await usageCount(stack, shop.installationId)).toBe(usageBefore);

    const audit = await support.get(`/admin/api/audit?target=${shop.installationId}`);
    const [entry] = (audit.body as { entries: Record<string, unknown>[] }).entries;
    expect(entry).toMatchObject({
      actorEmail: SUPPORT.email,
      action: 'lead.erase',
      targetType: 'installation',
      targetId: shop.installationId,
      before: { leadId: ana },
      after: { requestsCleared: 2, conversationsForgotten: 1 },
    });
    expect(JSON.stringify(entry)).not.toMatch(/4242|Ana here/);

    // The admin view says the texts went; such a request cannot be replayed.
    const list = await support.get(`/admin/api/requests?account=${shop.installationId}`);
    const views = (list.body as { requests: { leadId: number; textsRemovedAt: string | null }[] })
      .requests;
    expect(views.filter((v) => v.leadId === ana).every((v) => v.textsRemovedAt !== null)).toBe(
      true,
    );
  });

  it('the next message starts fresh: a new conversation, without the erased history', async () => {
    const [erasedConversation] = await conversationsOf('Ana here');
    await ask(ana);
    const all = await conversationsOf('Ana here');
    expect(all).toHaveLength(3);
    expect(all[2]).not.toBe(erasedConversation);
    const { openai } = await stack.sandbox.aiConversations();
    const fresh = openai.find((c) => c.id === all[2]);
    // Only the new turn (the question and its answer) is in it.
    expect(fresh?.items.length).toBe(2);
    expect((await memoryOf(ana))?.conversationId).toBe(all[2]);
  });

  it('a second erase finds nothing new; bad input is a clear 4xx', async () => {
    await support.post(`/admin/api/accounts/${shop.installationId}/leads/${ana}/erase`);
    const again = await support.post(
      `/admin/api/accounts/${shop.installationId}/leads/${ana}/erase`,
    );
    expect(again.body).toMatchObject({ requestsCleared: 0, conversationsForgotten: 0 });

    for (const bad of ['abc', '0', '-5', '1.5', '12345678901234567890']) {
      const response = await support.post(
        `/admin/api/accounts/${shop.installationId}/leads/${bad}/erase`,
      );
      expect(response.status, bad).toBe(400);
    }
    const unknown = await support.post(
      `/admin/api/accounts/00000000-0000-4000-8000-000000000000/leads/${ana}/erase`,
    );
    expect(unknown.status).toBe(404);
    const noCsrf = await support.call(
      'POST',
      `/admin/api/accounts/${shop.installationId}/leads/${ben}/erase`,
      {},
      { csrf: false },
    );
    expect(noCsrf.status).toBe(403);
    const anonymous = await new AdminClient(stack).post(
      `/admin/api/accounts/${shop.installationId}/leads/${ben}/erase`,
    );
    expect(anonymous.status).toBe(401);
    expect((await memoryOf(ben))?.conversationId).toMatch(/^conv_/);
  });
});
