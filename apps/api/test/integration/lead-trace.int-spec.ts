import { type LeadTraceItem, type LeadTraceResponse } from '@gpt-bridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCostUsd } from '../../src/domain/plans/model-prices';
import { UsageService } from '../../src/domain/plans/usage.service';
import { RetentionService } from '../../src/domain/requests/retention/retention.service';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  postJson,
  providerSettings,
  settled,
} from '../support/webhook-stack';

// Issue 23, point 3: the lead card's trace of a lead's AI requests, through the widget's token,
// after real requests through the fake OpenAI.
let stack: KommoStack;
let shop: InstalledAccount;
let other: InstalledAccount;
const KEY = 'sk-test-lead-trace-01';
const OTHER_KEY = 'sk-test-lead-trace-02';

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  other = await installAccount(stack);
  for (const [account, key] of [
    [shop, KEY],
    [other, OTHER_KEY],
  ] as const) {
    await providerSettings(stack).save(account.installationId, { openaiApiKey: key });
    await stack.sandbox.aiScript(key, { answer: { mode: 'fixed', text: 'We open at nine.' } });
  }
});

afterAll(async () => {
  await stack?.stop();
});

/** `GET /widget-api/leads/:lead/requests` with a widget token of `account` (its admin by default). */
async function trace(
  lead: number | string,
  query = '',
  account = shop.account.id,
  userId?: number,
): Promise<{ status: number; body: LeadTraceResponse & { message?: string } }> {
  const { token } = await stack.sandbox.widgetToken(account, 'valid', { userId });
  const response = await fetch(`${stack.apiUrl}/widget-api/leads/${lead}/requests${query}`, {
    headers: { 'x-auth-token': token },
  });
  return { status: response.status, body: (await response.json()) as LeadTraceResponse };
}

async function ask(account: InstalledAccount, lead: number, n: number): Promise<void> {
  expect((await postJson(account.chatgptUrl, { lead_id: lead, n })).status).toBe(200);
  await settled(stack, account.installationId);
}

/** Every page of a lead's trace, following `before`. */
async function allPages(lead: number, limit: number): Promise<LeadTraceItem[][]> {
  const pages: LeadTraceItem[][] = [];
  let before = '';
  for (let guard = 0; guard < 20; guard++) {
    const { status, body } = await trace(lead, `?limit=${limit}${before}`);
    expect(status).toBe(200);
    pages.push(body.requests);
    if (!body.more) return pages;
    const last = body.requests.at(-1)!;
    before = `&before=${encodeURIComponent(last.receivedAt)}`;
  }
  throw new Error('the trace never ended');
}

describe("a lead's trace", () => {
  it('lists the requests newest first with the prompt as sent, tokens and cost', async () => {
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'When do you open?' });
    await ask(shop, lead, 1);
    await ask(shop, lead, 2);

    const { status, body } = await trace(lead);
    expect(status).toBe(200);
    expect(body).toMatchObject({ leadId: lead, more: false });
    expect(body.requests).toHaveLength(2);
    const [newest, oldest] = body.requests;
    expect(Date.parse(newest!.receivedAt)).toBeGreaterThanOrEqual(Date.parse(oldest!.receivedAt));
    for (const item of body.requests) {
      expect(item).toMatchObject({
        kind: 'chatgpt',
        mode: 'classic',
        status: 'done',
        prompt: { text: 'When do you open?', memoryMessages: 0, media: [] },
        answer: 'We open at nine.',
        extraction: null,
        provider: 'openai_chat',
        model: 'gpt-6-luna',
        silentReason: null,
        errorClass: null,
      });
      expect(item.latencyMs).toBeGreaterThanOrEqual(0);
      expect(item.tokens.input).toBeGreaterThan(0);
      expect(item.tokens.output).toBeGreaterThan(0);
      expect(item.tokens.total).toBe(item.tokens.input! + item.tokens.output!);
      // The price table's gpt-6-luna prices, applied to the tokens the fake OpenAI reported.
      const expected = estimateCostUsd({
        provider: 'openai_chat',
        model: 'gpt-6-luna',
        inputTokens: item.tokens.input,
        outputTokens: item.tokens.output,
      });
      expect(expected).toBeGreaterThan(0);
      expect(item.costUsd).toBe(expected);
    }
    // The same tokens went into the month's usage, next to the request count.
    const usage = await stack.api.get(UsageService).summary(shop.installationId, new Date());
    expect(usage.used).toBe(2);
    expect(usage.costUsd).toBeCloseTo(newest!.costUsd! + oldest!.costUsd!, 9);
    expect(usage).toMatchObject({ costCapUsd: null, costCapReached: false });
  }, 60_000);

  it('pages with limit and before, without repeating or skipping a row', async () => {
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'page me' });
    for (let n = 0; n < 5; n++) await ask(shop, lead, n);
    const ids = (await trace(lead)).body.requests.map((r) => r.id);
    expect(ids).toHaveLength(5);

    const pages = await allPages(lead, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((r) => r.id)).toEqual(ids);

    // Three requests received in one millisecond (rows of one intake batch share now()): a page
    // ends before them or takes them all, so `before` (milliseconds) never cuts through them.
    await stack.db.query(
      `UPDATE ai_requests SET received_at = (SELECT received_at FROM ai_requests WHERE id = $1)
        WHERE id = ANY($2::uuid[])`,
      [ids[1], [ids[2], ids[3]]],
    );
    const tied = await allPages(lead, 2);
    expect(tied.map((p) => p.length)).toEqual([1, 3, 1]);
    expect(new Set(tied.flat().map((r) => r.id)).size).toBe(5);
  }, 60_000);

  it('answers only for the token account, and for users who are not administrators', async () => {
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'mine only' });
    await ask(shop, lead, 1);
    const otherLead = await createLeadWith(stack, other.account.id, { PROMPT: 'theirs' });
    await ask(other, otherLead, 1);

    // Another account's token asking for this lead (or this account's for theirs) sees nothing.
    const foreign = await trace(lead, '', other.account.id);
    expect(foreign).toMatchObject({ status: 200, body: { leadId: lead, requests: [] } });
    const reverse = await trace(otherLead);
    expect(reverse.body.requests).toEqual([]);
    expect((await trace(otherLead, '', other.account.id)).body.requests).toHaveLength(1);

    const user = await stack.sandbox.addUser(shop.account.id, { name: 'Sales Rep' });
    const asUser = await trace(lead, '', shop.account.id, user.id);
    expect(asUser.status).toBe(200);
    expect(asUser.body.requests).toHaveLength(1);

    const anonymous = await fetch(`${stack.apiUrl}/widget-api/leads/${lead}/requests`);
    expect(anonymous.status).toBe(401);
  }, 60_000);

  it('refuses bad input with a 400 that names it', async () => {
    for (const [lead, query, problem] of [
      ['abc', '', /leadId/],
      ['-5', '', /leadId/],
      ['0', '', /leadId/],
      ['7', '?limit=0', /limit/],
      ['7', '?limit=51', /limit/],
      ['7', '?limit=ten', /limit/],
      ['7', '?before=yesterday', /before/],
    ] as const) {
      const { status, body } = await trace(lead, query);
      expect(status, `${lead}${query}`).toBe(400);
      expect(body.message).toMatch(problem);
    }
  });

  it('keeps the shape of a request after retention removed its texts', async () => {
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'My card is 4242' });
    await ask(shop, lead, 1);
    const [before] = (await trace(lead)).body.requests;
    expect(before!.prompt?.text).toBe('My card is 4242');

    await stack.db.query(
      `UPDATE ai_requests SET received_at = now() - interval '40 days' WHERE id = $1`,
      [before!.id],
    );
    await stack.worker!.get(RetentionService).run();

    const [after] = (await trace(lead)).body.requests;
    expect(after).toMatchObject({
      id: before!.id,
      prompt: { text: null, memoryMessages: 0, media: [] },
      answer: null,
      tokens: before!.tokens,
      costUsd: before!.costUsd,
      status: 'done',
    });
    const raw = await stack.db.query<unknown[]>(`SELECT * FROM ai_requests WHERE id = $1`, [
      before!.id,
    ]);
    expect(JSON.stringify(raw)).not.toMatch(/4242/);
  }, 60_000);
});
