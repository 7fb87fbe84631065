import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock/clock';
import { PlansService } from '../../src/domain/plans/plans.service';
import { UsageService } from '../../src/domain/plans/usage.service';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
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

// Issue 8: plans, quotas and exact usage counters.
let stack: KommoStack;

beforeAll(async () => {
  // These tests count one answer per request, many at once on a lead: without coalescing (one
  // answer per burst has its own tests, burst.int-spec.ts).
  stack = await startKommoStack({ worker: true, vars: { AI_COALESCE_PENDING: 'false' } });
});

afterAll(async () => {
  await stack?.stop();
});

const usage = (installationId: string, at = new Date(), month?: string) =>
  stack.api.get(UsageService).summary(installationId, at, month);

async function account(key: string, monthly: number | null, leadDailyCap: number | null = null) {
  const shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, { openaiApiKey: key });
  await stack.api.get(PlansService).assign(shop.installationId, {
    planId: 'starter',
    monthlyRequestsOverride: monthly,
    leadDailyCap,
  });
  await stack.sandbox.aiScript(key, { answer: { mode: 'fixed', text: 'fine' } });
  return shop;
}

async function ask(
  shop: InstalledAccount,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await postJson(shop.chatgptUrl, body, headers);
  expect(response.status).toBe(200);
  await settled(stack, shop.installationId);
}

describe('a plan of 10 requests', () => {
  it('refuses the 11th with the quota LOG line and ON_OFF, counts 10, ignores a duplicate', async () => {
    const key = 'sk-test-quota-ten';
    const shop = await account(key, 10);
    const leads: number[] = [];
    for (let i = 0; i < 10; i++) {
      const lead = await createLeadWith(stack, shop.account.id, { PROMPT: `q${i}` });
      leads.push(lead);
      // Call 5 delivered twice (a resend carries the same Idempotency-Key).
      const resend = i === 4 ? { 'idempotency-key': `quota-${lead}` } : undefined;
      await ask(shop, { lead_id: lead }, resend);
      if (resend) await ask(shop, { lead_id: lead }, resend);
    }
    expect((await usage(shop.installationId)).used).toBe(10);
    const callsBefore = (await stack.sandbox.aiCalls({ key })).length;

    const eleventh = await createLeadWith(stack, shop.account.id, { PROMPT: 'one more' });
    await ask(shop, { lead_id: eleventh });
    const values = await leadValues(stack, shop.account.id, eleventh);
    expect(values.LOG).toMatch(
      /^ERROR quota: monthly limit of 10 requests reached \(plan Starter\); it resets on \d{4}-\d{2}-01$/,
    );
    expect(values.ON_OFF).toBeTruthy();
    expect(values.ANSWER_RECEIVED).toBe('Full');
    expect(values.ANSWER).toBeUndefined();
    expect((await stack.sandbox.aiCalls({ key })).length).toBe(callsBefore);
    const summary = await usage(shop.installationId);
    expect(summary).toMatchObject({ used: 10, remaining: 0, allowance: 10 });
    const rows = await requestRows(stack, shop.installationId);
    expect(rows.filter((r) => r.status === 'refused')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'duplicate')).toHaveLength(1);

    // 80 % (the 8th) and 95 % (the 10th) each left one note, on the lead that crossed it.
    const notesOf = async (lead: number) =>
      (await stack.sandbox.lead(shop.account.id, lead)).notes.map((n) =>
        typeof n.params.text === 'string' ? n.params.text : '',
      );
    expect(await notesOf(leads[7]!)).toEqual([expect.stringMatching(/^GPT Bridge: 80%/)]);
    expect(await notesOf(leads[9]!)).toEqual([expect.stringMatching(/^GPT Bridge: 95%/)]);
    const allNotes = (await Promise.all(leads.map(notesOf))).flat();
    expect(allNotes).toHaveLength(2);
    const widget = await fetch(`${stack.apiUrl}/widget-api/usage`, {
      headers: { 'x-auth-token': (await stack.sandbox.widgetToken(shop.account.id)).token },
    });
    expect(await widget.json()).toMatchObject({
      used: 10,
      warnings: [
        { threshold: 80, leadId: leads[7] },
        { threshold: 95, leadId: leads[9] },
      ],
    });
  }, 60_000);

  it('a daily cap per lead stops a bot loop on one lead only', async () => {
    const key = 'sk-test-quota-lead-cap';
    const shop = await account(key, null, 2);
    const looping = await createLeadWith(stack, shop.account.id, { PROMPT: 'loop' });
    for (let n = 0; n < 3; n++) await ask(shop, { lead_id: looping, n });
    expect((await leadValues(stack, shop.account.id, looping)).LOG).toMatch(
      /daily limit of 2 requests/,
    );
    const other = await createLeadWith(stack, shop.account.id, { PROMPT: 'fine' });
    await ask(shop, { lead_id: other });
    expect((await leadValues(stack, shop.account.id, other)).LOG).toBe('ok');
    expect((await usage(shop.installationId)).used).toBe(3);
  }, 60_000);
});

describe('exact counters', () => {
  it('500 calls from 20 concurrent leads: the counter equals the rows that reached a provider', async () => {
    const shops: InstalledAccount[] = [];
    for (let i = 0; i < 10; i++) {
      // One account runs out (allowance 40), one key fails now and then.
      shops.push(await account(`sk-test-exact-${i}`, i === 0 ? 40 : null));
    }
    await stack.sandbox.aiScript('sk-test-exact-1', {
      answer: { mode: 'fixed', text: 'fine' },
      failures: [{ kind: 'invalid_api_key', times: 7 }],
    });
    const leads = await Promise.all(
      shops.flatMap((shop) =>
        [0, 1].map(async (l) => ({
          shop,
          lead: await createLeadWith(stack, shop.account.id, { PROMPT: `lead ${l}` }),
        })),
      ),
    );
    const sends = leads.flatMap(({ shop, lead }) =>
      Array.from({ length: 25 }, (_, n) =>
        postJson(shop.chatgptUrl, { lead_id: lead, n }, { 'idempotency-key': `${lead}-${n}` }),
      ),
    );
    // A delivery twice as well (a resend keeps its Idempotency-Key): it must not count.
    const resent = leads[4]!.lead;
    sends.push(
      postJson(
        shops[2]!.chatgptUrl,
        { lead_id: resent, n: 3 },
        { 'idempotency-key': `${resent}-3` },
      ),
    );
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(501);
    let reached = 0;
    let counted = 0;
    for (const shop of shops) {
      await waitFor(
        () => requestRows(stack, shop.installationId),
        (rows) => rows.every((r) => !['queued', 'processing', 'answered'].includes(r.status)),
        120_000,
      );
      const rows = await requestRows(stack, shop.installationId);
      const mine = rows.filter((r) => r.reached_provider && r.status === 'done').length;
      const used = (await usage(shop.installationId)).used;
      expect(used).toBe(mine);
      reached += mine;
      counted += used;
    }
    expect(counted).toBe(reached);
    expect((await usage(shops[0]!.installationId)).used).toBe(40);
    expect(reached).toBe(500 - 10 - 7);
  }, 240_000);
});

describe('month boundaries in the account time zone', () => {
  it('usage starts again at 0 after local midnight, history is kept', async () => {
    const key = 'sk-test-quota-month';
    const shop = await account(key, 2);
    const clocks = [stack.api.get(Clock), stack.worker!.get(Clock)];
    const travel = (iso: string) => clocks.forEach((clock) => clock.travelTo(new Date(iso)));
    try {
      // 23:50 on 30 November in São Paulo (UTC-3) is already 1 December in UTC.
      travel('2026-12-01T02:50:00Z');
      for (let n = 0; n < 3; n++) {
        const lead = await createLeadWith(stack, shop.account.id, { PROMPT: `nov ${n}` });
        await ask(shop, { lead_id: lead });
      }
      const november = await usage(shop.installationId, new Date('2026-12-01T02:55:00Z'));
      expect(november).toMatchObject({ month: '2026-11', used: 2, resetsOn: '2026-12-01' });
      expect(november.timezone).toBe('America/Sao_Paulo');

      travel('2026-12-01T03:10:00Z'); // 00:10 on 1 December in São Paulo
      expect((await usage(shop.installationId, new Date('2026-12-01T03:10:00Z'))).used).toBe(0);
      const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'december' });
      await ask(shop, { lead_id: lead });
      expect((await leadValues(stack, shop.account.id, lead)).LOG).toBe('ok');
      const december = await usage(shop.installationId, new Date('2026-12-01T03:15:00Z'));
      expect(december).toMatchObject({ month: '2026-12', used: 1 });
      const history = await usage(shop.installationId, new Date('2026-12-01T03:15:00Z'), '2026-11');
      expect(history).toMatchObject({ month: '2026-11', used: 2 });
      expect(history.byDay).toEqual([{ day: '2026-11-30', chatgpt: 2, assistant: 0, total: 2 }]);
    } finally {
      clocks.forEach((clock) => clock.travelTo(null));
    }
  }, 60_000);
});
