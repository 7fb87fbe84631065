import { type LeadTraceResponse, type WidgetUsageResponse } from '@gpt-bridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  leadValues,
  postJson,
  providerSettings,
  requestRows,
  settled,
} from '../support/webhook-stack';

// Issue 23, point 4: "A cost cap stops requests like the quota". The owner sets a monthly cap on
// the estimated cost in the widget; past it requests are refused (ON_OFF, LOG) until it is raised.
let stack: KommoStack;
let shop: InstalledAccount;
const KEY = 'sk-test-cost-cap-0001';
// gpt-4o at $2.50 / $10 per 1M tokens; the fake counts a token per 4 characters: a prompt of
// 10,000 characters (2,500 tokens, $0.00625) and an answer of 2,500 (625 tokens, $0.00625) cost
// about $0.0125 a request.
const PROMPT = 'Tell me about the catalogue. '.repeat(345).slice(0, 10_000);
const ANSWER = 'Here is our catalogue. '.repeat(109).slice(0, 2_500);

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
  await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: ANSWER } });
});

afterAll(async () => {
  await stack?.stop();
});

async function widget<T>(
  method: string,
  route: string,
  body?: unknown,
  userId?: number,
): Promise<{ status: number; body: T & { message?: string } }> {
  const { token } = await stack.sandbox.widgetToken(shop.account.id, 'valid', { userId });
  const response = await fetch(`${stack.apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T & { message?: string } };
}

async function ask(lead: number, n: number): Promise<void> {
  expect((await postJson(`${shop.chatgptUrl}?model=gpt-4o`, { lead_id: lead, n })).status).toBe(
    200,
  );
  await settled(stack, shop.installationId);
}

describe('the monthly cost cap', () => {
  it('is set by an administrator only, validated, and shown in usage', async () => {
    const user = await stack.sandbox.addUser(shop.account.id, { name: 'Sales Rep' });
    const refused = await widget('PUT', '/cost-cap', { monthlyCostCapUsd: 5 }, user.id);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/administrator/);

    for (const bad of [0, 0.001, -1, 1_000_001, 'ten', 12.345]) {
      const { status, body } = await widget('PUT', '/cost-cap', { monthlyCostCapUsd: bad });
      expect(status, String(bad)).toBe(400);
      expect(body.message).toMatch(/monthlyCostCapUsd/);
    }
    expect((await widget('PUT', '/cost-cap', {})).status).toBe(400);

    const set = await widget<WidgetUsageResponse>('PUT', '/cost-cap', { monthlyCostCapUsd: 19.99 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ costCapUsd: 19.99, costCapReached: false, costUsd: 0 });
    // Usage is for every user of the account, the cap with it.
    const seen = await widget<WidgetUsageResponse>('GET', '/usage', undefined, user.id);
    expect(seen.body.costCapUsd).toBe(19.99);
    expect(seen.body.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const removed = await widget<WidgetUsageResponse>('PUT', '/cost-cap', {
      monthlyCostCapUsd: null,
    });
    expect(removed.body.costCapUsd).toBeNull();
  });

  it('stops requests like the quota once the month reaches it, until it is raised', async () => {
    // Two requests pass (0 and $0.0125 spent before each), the third finds $0.025.
    await widget('PUT', '/cost-cap', { monthlyCostCapUsd: 0.02 });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT });
    await ask(lead, 1);
    await ask(lead, 2);
    const spent = await widget<WidgetUsageResponse>('GET', '/usage');
    expect(spent.body.used).toBe(2);
    expect(spent.body.costUsd).toBeGreaterThanOrEqual(0.02);
    expect(spent.body.costUsd).toBeLessThan(0.03);
    expect(spent.body.costCapReached).toBe(true);
    const calls = (await stack.sandbox.aiCalls({ key: KEY })).length;

    // The third request: no provider call, refused, ON_OFF filled, LOG says why, not counted.
    await ask(lead, 3);
    expect((await stack.sandbox.aiCalls({ key: KEY })).length).toBe(calls);
    const values = await leadValues(stack, shop.account.id, lead);
    expect(values.LOG).toMatch(
      /^ERROR cost cap: this month's estimated AI cost \(US\$ 0\.0\d\) reached the cap of US\$ 0\.02 the account's owner set; it resets on \d{4}-\d{2}-01$/,
    );
    expect(values.ON_OFF).toBeTruthy();
    expect(values.ANSWER_RECEIVED).toBe('Full');
    expect(values.ANSWER).toBeUndefined();
    const last = (await requestRows(stack, shop.installationId)).at(-1)!;
    expect(last).toMatchObject({ status: 'refused', error_class: 'cost_cap' });
    expect((await widget<WidgetUsageResponse>('GET', '/usage')).body.used).toBe(2);

    // The lead card says why the bot was silent.
    const trace = await widget<LeadTraceResponse>('GET', `/leads/${lead}/requests`);
    expect(trace.body.requests.map((r) => r.silentReason)).toEqual(['cost_cap', null, null]);
    expect(trace.body.requests[0]).toMatchObject({
      status: 'refused',
      prompt: null,
      costUsd: null,
    });
    expect(trace.body.requests[1]!.costUsd).toBeGreaterThan(0.012);
    expect(trace.body.requests[1]!.costUsd).toBeLessThan(0.013);

    // Raised: the next message is answered again.
    await widget('PUT', '/cost-cap', { monthlyCostCapUsd: 100 });
    await ask(lead, 4);
    expect((await leadValues(stack, shop.account.id, lead)).LOG).toBe('ok');
  }, 90_000);

  it('writes the LOG line in the account language', async () => {
    const pt = await installAccount(stack);
    await stack.db.query(`UPDATE installations SET language = 'pt' WHERE id = $1`, [
      pt.installationId,
    ]);
    await providerSettings(stack).save(pt.installationId, { openaiApiKey: KEY });
    const { token } = await stack.sandbox.widgetToken(pt.account.id);
    const put = await fetch(`${stack.apiUrl}/widget-api/cost-cap`, {
      method: 'PUT',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ monthlyCostCapUsd: 0.01 }),
    });
    expect(put.status).toBe(200);
    const lead = await createLeadWith(stack, pt.account.id, { PROMPT });
    for (const n of [1, 2]) {
      expect((await postJson(`${pt.chatgptUrl}?model=gpt-4o`, { lead_id: lead, n })).status).toBe(
        200,
      );
      await settled(stack, pt.installationId);
    }
    expect((await leadValues(stack, pt.account.id, lead)).LOG).toMatch(
      /^ERROR cost cap: o custo estimado de IA deste mês \(US\$ 0\.0\d\) atingiu o limite de US\$ 0\.01/,
    );
  }, 60_000);
});
