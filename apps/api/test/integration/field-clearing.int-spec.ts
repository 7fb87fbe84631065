import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  leadValues,
  postJson,
  providerSettings,
  settled,
} from '../support/webhook-stack';

// Kommo ignores an empty string and clears a field only with `values: null` (docs/kommo-contract.md,
// clearing a field); the sandbox behaves so. A field we empty must really be empty afterwards.

const KEY = 'sk-test-field-clearing-01';
let stack: KommoStack;
let shop: InstalledAccount;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
});

afterAll(async () => {
  await stack?.stop();
});

describe('clearing a lead field', () => {
  it('a failed request empties ANSWER, so the bot cannot send an older answer', async () => {
    await stack.sandbox.aiScript(KEY, { failures: [{ kind: 'invalid_api_key' }] });
    const lead = await createLeadWith(stack, shop.account.id, {
      PROMPT: 'Where is my order?',
      ANSWER: 'the answer to an earlier question',
    });
    await stack.sandbox.clearRequests();
    expect((await postJson(shop.chatgptUrl, { lead_id: lead })).status).toBe(200);
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
      30_000,
    );
    await settled(stack, shop.installationId);
    expect(values.LOG).toMatch(/^ERROR OpenAI: /);
    expect(values.ANSWER).toBeUndefined();

    // What went to Kommo: `values: null` for the emptied field, never an empty string.
    const [patch] = await stack.sandbox.requests({
      method: 'PATCH',
      path: `/api/v4/leads/${lead}`,
    });
    const sent = (patch?.body as { custom_fields_values: { values: unknown }[] })
      .custom_fields_values;
    expect(sent.some((field) => field.values === null)).toBe(true);
    expect(JSON.stringify(sent)).not.toContain('"value":""');
  });
});
