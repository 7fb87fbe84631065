import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  type InstalledAccount,
  installAccount,
  postJson,
  providerSettings,
  requestRows,
  settled,
} from '../support/webhook-stack';

const KEY = 'sk-test-widget-block-01';

let stack: KommoStack;
let shop: InstalledAccount;

// Our salesbot block in Kommo's documented pattern (docs/kommo-contract.md §5.2): widget_request,
// a goto to step 1, and there a branch on {{json.status}}: the reply, or an apology with the log.
// next_step names step 1 too, so our continue's goto is only a fallback.
const widgetBot = (url: string) => ({
  0: {
    question: [
      {
        handler: 'widget_request',
        params: { url, data: { message: '{{message_text}}', next_step: 1 } },
      },
      { handler: 'goto', params: { type: 'question', step: 1 } },
    ],
  },
  1: {
    question: [
      {
        handler: 'conditions',
        params: {
          logic: 'and',
          conditions: [{ term1: '{{json.status}}', term2: 'ok', operation: '=' }],
          result: [{ handler: 'goto', params: { type: 'question', step: 2 } }],
        },
      },
      { handler: 'goto', params: { type: 'question', step: 3 } },
    ],
  },
  2: { question: [{ handler: 'show', params: { type: 'text', value: '{{json.reply}}' } }] },
  3: { question: [{ handler: 'show', params: { type: 'text', value: 'sorry: {{json.log}}' } }] },
});

async function say(leadId: number, text: string) {
  await stack.sandbox.call('POST', '/_sandbox/salesbot/messages', {
    account: shop.account.subdomain,
    lead_id: leadId,
    text,
  });
}

async function botSays(leadId: number, expected: string) {
  return waitFor(
    () => stack.sandbox.chat(shop.account.id, leadId),
    (chat) => chat.entries.some((entry) => entry.text === expected),
    20_000,
  );
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: KEY,
    assistant: { provider: 'openai', model: 'gpt-4o-mini', instructions: 'Be brief.' },
  });
  await stack.sandbox.createBot(shop.account.id, widgetBot(shop.assistantWidgetUrl));
});

afterAll(async () => {
  await stack?.stop();
});

describe('widget-block mode', () => {
  it.each(['json', 'form'] as const)(
    'the bot resumes with {{json.reply}} holding the answer (%s body)',
    async (encoding) => {
      await stack.sandbox.call('PATCH', '/_sandbox/salesbot/settings', {
        widget_request_encoding: encoding,
      });
      await stack.sandbox.aiScript(KEY, {
        answer: { mode: 'fixed', text: `Yes, red shoes in size 40 (${encoding}).` },
      });
      const lead = (await stack.sandbox.createLead(shop.account.id, { name: encoding })).id;
      await say(lead, 'Do you have red shoes?');
      await botSays(lead, `Yes, red shoes in size 40 (${encoding}).`);
      const call = (await stack.sandbox.aiCalls({ key: KEY })).at(-1)!;
      expect(call.endpoint).toBe('responses');
      expect(JSON.stringify(call.body)).toContain('Do you have red shoes?');
      // The continue is sent just before the row is finished.
      const row = (await settled(stack, shop.installationId)).find(
        (r) => r.lead_id === String(lead),
      );
      expect(row).toMatchObject({ status: 'done', reached_provider: true });
    },
  );

  it('a provider error takes the error step with a readable log', async () => {
    await stack.sandbox.call('PATCH', '/_sandbox/salesbot/settings', {
      widget_request_encoding: 'json',
    });
    await stack.sandbox.aiScript(KEY, { failures: [{ kind: 'invalid_api_key' }] });
    const lead = (await stack.sandbox.createLead(shop.account.id, { name: 'err' })).id;
    await say(lead, 'hello?');
    const chat = await waitFor(
      () => stack.sandbox.chat(shop.account.id, lead),
      (c) => c.entries.some((entry) => entry.text.startsWith('sorry: ERROR OpenAI')),
      20_000,
    );
    expect(chat.entries.map((e) => e.text).join('\n')).toMatch(/sorry: ERROR OpenAI: .*API key/);
    await stack.sandbox.aiScript(KEY, { failures: [] });
  });

  it("works when Kommo does not follow the continue's goto: the block's own goto and branch decide", async () => {
    await stack.sandbox.call('PATCH', '/_sandbox/salesbot/settings', { continue_goto: 'ignore' });
    try {
      await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'We ship to Lisbon.' } });
      const lead = (await stack.sandbox.createLead(shop.account.id, { name: 'no-goto' })).id;
      await say(lead, 'Do you ship to Lisbon?');
      const chat = await botSays(lead, 'We ship to Lisbon.');
      const texts = chat.entries.map((entry) => entry.text);
      expect(texts).toContain('continue_goto ignore: 1 goto skipped');
      expect(texts.some((text) => text.startsWith('sorry:'))).toBe(false);
    } finally {
      await stack.sandbox.call('PATCH', '/_sandbox/salesbot/settings', { continue_goto: 'follow' });
    }
  });

  it('refuses a forged token with 401 and stores nothing', async () => {
    const before = (await requestRows(stack, shop.installationId)).length;
    const forged = [
      Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url'),
      Buffer.from(
        JSON.stringify({ account_id: shop.account.id, entity_id: 1, exp: 9_999_999_999 }),
      ).toString('base64url'),
      Buffer.from('not-a-signature').toString('base64url'),
    ].join('.');
    const response = await postJson(shop.assistantWidgetUrl, {
      token: forged,
      data: { message: 'hi', next_step: 1 },
      return_url: `${stack.sandbox.url}/a/x/api/v4/salesbot/1/continue/1`,
    });
    expect(response.status).toBe(401);
    expect((await requestRows(stack, shop.installationId)).length).toBe(before);
  });

  it('one token serves one salesbot wait: a new continue id or Idempotency-Key is refused', async () => {
    // A valid token as Kommo signs it (HS512, client secret), with one jti.
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const lead = (await stack.sandbox.createLead(shop.account.id, { name: 'replay' })).id;
    const unsigned = `${part({ alg: 'HS512', typ: 'JWT' })}.${part({
      account_id: shop.account.id,
      entity_id: lead,
      entity_type: 2,
      jti: randomUUID(),
      exp: Math.floor(Date.now() / 1000) + 1_800,
    })}`;
    const signature = createHmac('sha512', stack.env.KOMMO_CLIENT_SECRET!)
      .update(unsigned)
      .digest('base64url');
    const token = `${unsigned}.${signature}`;
    const send = (continueId: string, headers: Record<string, string> = {}) =>
      postJson(
        shop.assistantWidgetUrl,
        {
          token,
          data: { message: 'hi', next_step: 1 },
          return_url: `${stack.sandbox.url}/a/${shop.account.subdomain}/api/v4/salesbot/9/continue/${continueId}`,
        },
        headers,
      );
    const before = (await requestRows(stack, shop.installationId)).length;

    const first = await send('replay-1');
    expect(first.status).toBe(200);
    const { request_id: requestId } = (await first.json()) as { request_id: string };
    // A true resend (the same wait) stays idempotent.
    const resend = await send('replay-1');
    expect(resend.status).toBe(200);
    expect(await resend.json()).toMatchObject({ request_id: requestId, duplicate: true });

    for (const replay of [
      await send('replay-2'),
      await send('replay-3', { 'idempotency-key': randomUUID() }),
    ]) {
      expect(replay.status).toBe(409);
      expect(await replay.json()).toMatchObject({ error: 'token_reused' });
    }
    const rows = (await requestRows(stack, shop.installationId)).slice(before);
    expect(rows.filter((r) => r.status !== 'duplicate' && r.status !== 'rejected')).toHaveLength(1);
  });
});
