import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestsRepository } from '../../src/domain/requests/requests.repository';
import { FieldsService } from '../../src/domain/fields/fields.service';
import { UsageService } from '../../src/domain/plans/usage.service';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  leadValues,
  observedWebhookBody,
  postForm,
  postJson,
  providerSettings,
  requestRows,
  setLeadField,
  settled,
  usageCount,
} from '../support/webhook-stack';

const KEY = 'sk-test-webhooks-0001';

let stack: KommoStack;
let shop: InstalledAccount;

beforeAll(async () => {
  // These tests count one answer per request on a lead: without coalescing (one answer per burst
  // has its own tests, burst.int-spec.ts, the "same bytes while the first is answered" case too).
  stack = await startKommoStack({ worker: true, vars: { AI_COALESCE_PENDING: 'false' } });
  shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: KEY,
    assistant: { provider: 'openai', model: 'gpt-4o-mini', instructions: 'You sell shoes.' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

const patchesOf = async (leadId: number) =>
  (
    await stack.sandbox.requests({
      account_id: shop.account.id,
      direction: 'in',
      path: `/api/v4/leads/${leadId}`,
    })
  ).filter((r) => r.method === 'PATCH');

describe('classic webhooks', () => {
  it('answers a JSON call into the lead: ANSWER, LOG ok, ANSWER_RECEIVED Full', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: '#Greeting' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'Classify: hello there' });
    const response = await postJson(`${shop.chatgptUrl}?model=gpt-4o-mini&tokens=50`, {
      lead_id: lead,
    });
    expect(response.status).toBe(200);
    const ack = (await response.json()) as { ok: boolean; request_id: string };
    expect(ack.ok).toBe(true);

    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
    );
    expect(values).toMatchObject({ ANSWER: '#Greeting', LOG: 'ok', ANSWER_RECEIVED: 'Full' });
    expect(await patchesOf(lead)).toHaveLength(1);

    const calls = await stack.sandbox.aiCalls({ provider: 'openai', key: KEY });
    const call = calls.at(-1)!;
    expect(call.endpoint).toBe('chat.completions');
    expect(call.validation).toMatchObject({ checked: true, valid: true });
    expect(call.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 50 });
    expect(JSON.stringify(call.body)).toContain('Classify: hello there');
  });

  it('reads a PHP-style form body with the lead id in leads[update][0][id]', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'We open at 9.' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'When do you open?' });
    const response = await fetch(shop.assistantUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `leads%5Bupdate%5D%5B0%5D%5Bid%5D=${lead}&account%5Bsubdomain%5D=${shop.account.subdomain}`,
    });
    expect(response.status).toBe(200);
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
    );
    expect(values).toMatchObject({ ANSWER: 'We open at 9.', LOG: 'ok' });
    const call = (await stack.sandbox.aiCalls({ provider: 'openai', key: KEY })).at(-1)!;
    expect(call.endpoint).toBe('responses');
    expect(call.validation).toMatchObject({ checked: true, valid: true });
  });

  it('uses the lead fields a webhook carries: the PATCH is the only Kommo call', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' } });
    const fields = await stack.api.get(FieldsService).activeFields(shop.installationId);
    const promptId = fields.find((f) => f.key === 'PROMPT')!.kommoFieldId;
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'stale text' });
    await stack.sandbox.clearRequests();
    const form = [
      `leads[update][0][id]=${lead}`,
      `leads[update][0][custom_fields][0][id]=${promptId}`,
      `leads[update][0][custom_fields][0][values][0][value]=${encodeURIComponent('fresh question')}`,
    ].join('&');
    const response = await fetch(shop.assistantUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(200);
    await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
    );
    const call = (await stack.sandbox.aiCalls({ key: KEY })).at(-1)!;
    expect(JSON.stringify(call.body)).toContain('fresh question');
    const kommo = await stack.sandbox.requests({ account_id: shop.account.id, direction: 'in' });
    expect(kommo.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/v4/leads/${lead}`]);
  });

  it('counts the same delivery once: one provider call, one PATCH, usage +1', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: '#General' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'dup test' });
    const before = await usageCount(stack, shop.installationId);
    const callsBefore = (await stack.sandbox.aiCalls({ key: KEY })).length;
    const body = { lead_id: lead, leads: { add: [{ id: lead }] } };
    // Two arriving together: the second finds the first still waiting to be picked up.
    const [first, second] = await Promise.all([
      postJson(shop.chatgptUrl, body),
      postJson(shop.chatgptUrl, body),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const acks = [(await first.json()) as { duplicate?: boolean }, await second.json()];
    expect(acks.filter((ack) => (ack as { duplicate?: boolean }).duplicate === true)).toHaveLength(
      1,
    );
    // A resend with an explicit key is the same delivery for the whole window.
    const keyed = { 'idempotency-key': `dup-${lead}` };
    await postJson(shop.chatgptUrl, { lead_id: lead }, keyed);
    await settled(stack, shop.installationId);
    const third = await postJson(shop.chatgptUrl, { lead_id: lead }, keyed);
    expect(((await third.json()) as { duplicate?: boolean }).duplicate).toBe(true);

    await settled(stack, shop.installationId);
    expect(await patchesOf(lead)).toHaveLength(2);
    expect((await stack.sandbox.aiCalls({ key: KEY })).length - callsBefore).toBe(2);
    expect(await usageCount(stack, shop.installationId)).toBe(before + 2);
    const rows = (await requestRows(stack, shop.installationId)).filter(
      (r) => r.lead_id === String(lead),
    );
    expect(rows.map((r) => r.status).sort()).toEqual(['done', 'done', 'duplicate', 'duplicate']);
    const store = stack.api.get(RequestsRepository);
    const logged = (await store.recent(shop.installationId, 500)).filter((r) => r.leadId === lead);
    expect(logged).toHaveLength(4);
    const summary = await stack.api.get(UsageService).summary(shop.installationId, new Date());
    expect(summary.used).toBe(before + 2);
  });

  it("answers every message although Kommo's body is the same bytes; collapses only a waiting twin", async () => {
    // Kommo's webhook names the lead and its stage only: each customer message on this lead
    // sends these same bytes (docs/kommo-contract.md §1).
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 1_500 });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'first question' });
    const body = observedWebhookBody(shop.account, lead);
    const answers = async () => stack.sandbox.aiCalls({ key: KEY, endpoint: 'responses' });
    const callsBefore = (await answers()).length;
    const ack = async () =>
      (await (await postForm(shop.assistantUrl, body)).json()) as {
        ok: boolean;
        duplicate?: boolean;
      };
    expect(await ack()).toEqual({ ok: true, request_id: expect.any(String) as unknown });
    // The first has read the lead and is being answered (the provider takes 1.5 s) when the
    // customer writes again.
    await waitFor(
      async () =>
        (
          await stack.sandbox.requests({
            account_id: shop.account.id,
            direction: 'in',
            path: `/api/v4/leads/${lead}`,
          })
        ).filter((r) => r.method === 'GET').length,
      (reads) => reads > 0,
    );
    await setLeadField(stack, shop.account.id, lead, 'PROMPT', 'second question');
    expect(await ack()).toEqual({ ok: true, request_id: expect.any(String) as unknown });
    // The same bytes again while the second still waits its turn: both would read the same lead.
    expect(await ack()).toMatchObject({ ok: true, duplicate: true });

    await settled(stack, shop.installationId);
    const rows = (await requestRows(stack, shop.installationId)).filter(
      (r) => r.lead_id === String(lead),
    );
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'duplicate']);
    const calls = (await answers()).slice(callsBefore);
    expect(calls).toHaveLength(2);
    expect(JSON.stringify(calls[0]?.body)).toContain('first question');
    expect(JSON.stringify(calls[1]?.body)).toContain('second question');
    expect(await patchesOf(lead)).toHaveLength(2);
    const values = await leadValues(stack, shop.account.id, lead);
    expect(values.ANSWER).toContain('second question');
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' }, latencyMs: 0 });
  });

  it('answers the same bytes again once the first was answered (a new message, a minute on)', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'echo' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'morning question' });
    const body = observedWebhookBody(shop.account, lead);
    for (const prompt of ['morning question', 'afternoon question']) {
      await setLeadField(stack, shop.account.id, lead, 'PROMPT', prompt);
      const ack = (await (await postForm(shop.chatgptUrl, body)).json()) as { duplicate?: boolean };
      expect(ack.duplicate).toBeUndefined();
      await settled(stack, shop.installationId);
      expect((await leadValues(stack, shop.account.id, lead)).ANSWER).toContain(prompt);
    }
    expect(await patchesOf(lead)).toHaveLength(2);
  });
});

describe('provider failures', () => {
  const ask = async (key: string, prompt: string) => {
    await providerSettings(stack).save(shop.installationId, { openaiApiKey: key });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: prompt });
    const response = await postJson(`${shop.chatgptUrl}?model=gpt-4o-mini`, { lead_id: lead });
    expect(response.status).toBe(200);
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
      30_000,
    );
    // The PATCH lands just before the row is finished and counted.
    await settled(stack, shop.installationId);
    const row = (await requestRows(stack, shop.installationId)).find(
      (r) => r.lead_id === String(lead),
    )!;
    const calls = (await stack.sandbox.aiCalls({ key })).length;
    return { values, row, calls };
  };

  afterAll(async () => {
    await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
  });

  it('waits out two 429s with Retry-After, then writes the answer', async () => {
    const key = 'sk-test-rate-limited-01';
    await stack.sandbox.aiScript(key, {
      answer: { mode: 'fixed', text: 'Finally' },
      failures: [{ kind: 'rate_limit', retryAfterSeconds: 1, times: 2 }],
    });
    const { values, row, calls } = await ask(key, 'busy?');
    expect(values).toMatchObject({ ANSWER: 'Finally', LOG: 'ok', ANSWER_RECEIVED: 'Full' });
    expect(calls).toBe(3);
    expect(row.status).toBe('done');
  });

  it.each([
    ['insufficient_quota', 'billing', /quota/i],
    ['invalid_api_key', 'auth', /API key/i],
    ['model_not_found', 'not_found', /model/i],
  ] as const)(
    '%s: no retry, a readable LOG line, the error class logged',
    async (kind, errorClass, text) => {
      const key = `sk-test-fail-${kind}`;
      await stack.sandbox.aiScript(key, { failures: [{ kind, times: 3 }] });
      const usage = await usageCount(stack, shop.installationId);
      const { values, row, calls } = await ask(key, `fail with ${kind}`);
      expect(calls).toBe(1);
      expect(values.ANSWER).toBeUndefined();
      expect(values.LOG).toMatch(/^ERROR OpenAI: /);
      expect(values.LOG).toMatch(text);
      expect(values.LOG).not.toContain(key);
      expect(row).toMatchObject({
        status: 'failed',
        error_class: errorClass,
        reached_provider: false,
      });
      expect(await usageCount(stack, shop.installationId)).toBe(usage);
    },
  );

  it('refuses a pasted asst_ id with a clear error and no call', async () => {
    const error = await providerSettings(stack)
      .save(shop.installationId, { assistant: { provider: 'openai', model: 'asst_abc123' } })
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'invalid_settings' });
    expect((error as Error).message).toMatch(/Assistants/);
  });
});

describe('media in the message', () => {
  const answerFor = async (values: { PROMPT: string; MESSAGE?: string }) => {
    const lead = await createLeadWith(stack, shop.account.id, values);
    expect((await postJson(shop.chatgptUrl, { lead_id: lead })).status).toBe(200);
    return waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
      20_000,
    );
  };

  it('sends an image to the vision model and marks LOG with #image', async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Nice red shoe.' } });
    const image = await stack.sandbox.uploadMedia({ fixture: 'image.png' });
    const values = await answerFor({ PROMPT: `What is this? ${image.url}`, MESSAGE: image.url });
    expect(values).toMatchObject({ ANSWER: 'Nice red shoe.', LOG: 'ok #image' });
    const call = (await stack.sandbox.aiCalls({ key: KEY })).at(-1)!;
    expect(call.validation).toMatchObject({ checked: true, valid: true });
    expect(JSON.stringify(call.body)).toContain('data:image/png;base64,');
    expect(JSON.stringify(call.body)).not.toContain(image.url);
  });

  it('transcribes a voice note first and marks LOG with #audio', async () => {
    await stack.sandbox.aiScript(KEY, {
      answer: { mode: 'echo' },
      transcript: 'I would like two pairs of boots',
    });
    const voice = await stack.sandbox.uploadMedia({ fixture: 'voice.ogg' });
    const values = await answerFor({ PROMPT: voice.url });
    expect(values.LOG).toBe('ok #audio');
    expect(values.ANSWER).toContain('I would like two pairs of boots');
    const endpoints = (await stack.sandbox.aiCalls({ key: KEY })).slice(-2).map((c) => c.endpoint);
    expect(endpoints[0]).toMatch(/transcription/);
  });

  it.each(['http://127.0.0.1:9/cat.png', 'http://169.254.169.254/latest/meta-data/x.png'])(
    'refuses a media URL pointing at %s',
    async (url) => {
      const before = (await stack.sandbox.aiCalls({ key: KEY })).length;
      const values = await answerFor({ PROMPT: `look ${url}` });
      expect(values.ANSWER).toBeUndefined();
      expect(values.LOG).toMatch(/^ERROR media: could not read the image/);
      expect((await stack.sandbox.aiCalls({ key: KEY })).length).toBe(before);
    },
  );
});

describe('bad input', () => {
  it('answers 404 for unknown and malformed tokens, storing nothing', async () => {
    const before = (await stack.db.query<unknown[]>(`SELECT id FROM ai_requests`)).length;
    for (const token of ['nope', 'A'.repeat(43)]) {
      const response = await postJson(`${stack.apiUrl}/${token}/handler`, { lead_id: 1 });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found', message: 'Unknown webhook URL' });
    }
    expect((await stack.db.query<unknown[]>(`SELECT id FROM ai_requests`)).length).toBe(before);
  });

  it('refuses a body without lead id, a malformed one and an oversized one, logging them', async () => {
    const noLead = await postJson(shop.chatgptUrl, { hello: 'world' });
    expect(noLead.status).toBe(400);
    expect(((await noLead.json()) as { message: string }).message).toMatch(/no lead id/);

    const malformed = await fetch(shop.chatgptUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"lead_id": 1',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/malformed JSON/);

    const big = await postJson(shop.chatgptUrl, { lead_id: 1, pad: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);

    const huge = await postJson(shop.chatgptUrl, { lead_id: 1, pad: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);

    const badTokens = await postJson(`${shop.chatgptUrl}?tokens=lots`, { lead_id: 5 });
    expect(badTokens.status).toBe(400);

    const rejected = (await requestRows(stack, shop.installationId)).filter(
      (r) => r.status === 'rejected',
    );
    expect(rejected.map((r) => r.error_class)).toEqual(
      expect.arrayContaining(['no_lead_id', 'bad_body', 'body_too_large', 'bad_tokens']),
    );
  });

  it('answers 503 "send it again" when the request cannot be stored, and logs why', async () => {
    const store = vi
      .spyOn(RequestsRepository.prototype, 'intakeBatch')
      .mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    const logged = vi.spyOn(Logger.prototype, 'error');
    try {
      const response = await postJson(shop.chatgptUrl, { lead_id: 4242 });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: 'unavailable',
        message: 'the request could not be stored; send it again',
      });
      const call = logged.mock.calls.find(([, message]) => message === 'webhook intake failed');
      const fields = call?.[0] as { err?: Error; reqId?: string } | undefined;
      expect(fields?.err?.message).toBe('Connection terminated unexpectedly');
      expect(fields?.reqId).toMatch(/\S/);
    } finally {
      store.mockRestore();
      logged.mockRestore();
    }
    // The next delivery is stored as usual.
    expect((await postJson(shop.chatgptUrl, { lead_id: 4242 })).status).toBe(200);
  });
});

describe('an uninstalled account', () => {
  it('gets 404 on both webhooks afterwards and nothing is stored or sent to Kommo', async () => {
    const gone = await installAccount(stack);
    const lead = await createLeadWith(stack, gone.account.id, { PROMPT: 'still there?' });
    await stack.sandbox.uninstall(gone.account.id);
    await waitFor(
      async () =>
        (
          await stack.db.query<{ status: string }[]>(
            `SELECT status FROM installations WHERE id = $1`,
            [gone.installationId],
          )
        )[0]?.status,
      (status) => status === 'disabled',
    );
    await stack.sandbox.clearRequests();
    for (const url of [gone.chatgptUrl, gone.assistantUrl]) {
      const response = await postJson(url, { lead_id: lead });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found', message: 'Unknown webhook URL' });
    }
    expect(await requestRows(stack, gone.installationId)).toEqual([]);
    expect(await stack.sandbox.requests({ account_id: gone.account.id, direction: 'in' })).toEqual(
      [],
    );
  });
});
