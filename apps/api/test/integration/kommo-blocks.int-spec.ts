import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { FieldsService } from '../../src/domain/fields/fields.service';
import { KommoClientFactory } from '../../src/integrations/kommo/kommo-client';
import { KommoApiError } from '../../src/integrations/kommo/kommo-errors';
import { KommoRateLimiter } from '../../src/integrations/kommo/kommo-rate-limiter';
import { type KommoTokenSource } from '../../src/integrations/kommo/kommo-token-source';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { SandboxProcess } from '../support/sandbox';
import { testEnv } from '../support/test-env';
import {
  createLeadWith,
  installAccount,
  leadValues,
  providerSettings,
  requestRows,
} from '../support/webhook-stack';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Kommo's 403: the rate block is waited out, a permission 403 is final", () => {
  let sandbox: SandboxProcess;
  let limiter: KommoRateLimiter;
  let factory: KommoClientFactory;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await SandboxProcess.start();
    const config = new AppConfig(testEnv({ KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate }));
    limiter = new KommoRateLimiter(config);
    const source: KommoTokenSource = {
      accessToken: (id) => Promise.resolve(tokens[id] ?? ''),
      refreshAfterRejection: () => Promise.reject(new Error('no 401 expected')),
      relocate: () => Promise.resolve(null),
    };
    factory = new KommoClientFactory(config, limiter, source, { maxRateLimitWaitMs: 5_000 });
  });
  afterAll(async () => {
    factory?.onModuleDestroy();
    limiter?.onModuleDestroy();
    await sandbox?.stop();
  });

  async function client(input: { subdomain: string; current_user_is_admin?: boolean }) {
    const account = await sandbox.createAccount(input);
    const installationId = randomUUID();
    tokens[installationId] = (await sandbox.issueTokens(account.id)).access_token;
    const kommo = factory.forInstallation({
      installationId,
      host: account.host,
      subdomain: input.subdomain,
    });
    return { account, installationId, kommo };
  }

  it('a non-admin token on an admin-only call: forbidden, not retryable', async () => {
    const { kommo } = await client({ subdomain: 'staff', current_user_is_admin: false });
    const error = await failure(kommo.createLeadCustomFields([{ name: 'X', type: 'text' }]));
    expect(error).toBeInstanceOf(KommoApiError);
    expect(error).toMatchObject({ kind: 'forbidden', status: 403, retryable: false });
  });

  it("the sandbox's block (403 saying too many requests): blocked, retryable, every process held", async () => {
    const { account, installationId, kommo } = await client({ subdomain: 'walled' });
    await sandbox.call('POST', '/_sandbox/rate-limit/block', {
      account_id: account.id,
      seconds: 30,
    });
    const error = await failure(kommo.getAccount());
    expect(error).toMatchObject({ kind: 'blocked', status: 403, retryable: true });
    // The hold covers the next calls too: one probe, not one per waiting request.
    const next = await failure(limiter.reserve(installationId, { maxWaitMs: 1_000 }));
    expect(next).toMatchObject({ kind: 'rate_limit' });
    const probes = await sandbox.requests({ account_id: account.id, status: 403 });
    expect(probes).toHaveLength(1);
  });

  it('a bare 403 right after a 429 is read as the block; the same 403 without one is not', async () => {
    const { account, kommo } = await client({ subdomain: 'bare' });
    const bare = { title: 'Forbidden', status: 403, detail: 'Access denied' };
    await sandbox.addFault({ path: '/api/v4/account', account_id: account.id, status: 429 });
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 403,
      body: bare,
    });
    expect(await failure(kommo.getAccount())).toMatchObject({ kind: 'blocked', retryable: true });

    const quiet = await client({ subdomain: 'quiet' });
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: quiet.account.id,
      status: 403,
      body: bare,
    });
    expect(await failure(quiet.kommo.getAccount())).toMatchObject({
      kind: 'forbidden',
      retryable: false,
    });
  });
});

describe('an answer held up by a block is delivered once it lifts', () => {
  const KEY = 'sk-test-blocked-01';
  let stack: KommoStack;

  beforeAll(async () => {
    stack = await startKommoStack({ worker: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the account blocked for 6 s: the answer lands after it, from one provider call', async () => {
    const shop = await installAccount(stack);
    await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Open at nine.' } });
    const fields = await stack.api.get(FieldsService).activeFields(shop.installationId);
    const promptId = fields.find((f) => f.key === 'PROMPT')!.kommoFieldId;
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'when?' });
    await stack.sandbox.clearRequests();
    // The webhook carries the prompt, so the provider is asked at once and only the PATCH
    // meets the block: the answer is stored while Kommo refuses every call.
    const { blocked_until: until } = await stack.sandbox.call<{ blocked_until: number }>(
      'POST',
      '/_sandbox/rate-limit/block',
      { account_id: shop.account.id, seconds: 6 },
    );
    const response = await fetch(shop.assistantUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: [
        `leads[update][0][id]=${lead}`,
        `leads[update][0][custom_fields][0][id]=${promptId}`,
        `leads[update][0][custom_fields][0][values][0][value]=when`,
      ].join('&'),
    });
    expect(response.status).toBe(200);

    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
      40_000,
    );
    expect(values).toMatchObject({ ANSWER: 'Open at nine.', LOG: 'ok' });
    const [row] = await waitFor(
      () => requestRows(stack, shop.installationId),
      (rows) => rows[0]?.status === 'done',
    );
    expect(row).toMatchObject({ status: 'done', error_class: null });
    // One answer asked for (the assistant's conversation is made once, with it).
    const asked = await stack.sandbox.aiCalls({ key: KEY, endpoint: 'responses' });
    expect(asked).toHaveLength(1);
    const calls = await stack.sandbox.requests({ account_id: shop.account.id, direction: 'in' });
    const blocked = calls.filter((c) => c.status === 403);
    const delivered = calls.filter((c) => c.status === 200 && c.method === 'PATCH');
    expect(blocked.length).toBeGreaterThanOrEqual(1);
    expect(blocked.length).toBeLessThanOrEqual(4); // held between probes, not hammered
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.at).toBeGreaterThanOrEqual(until);
  }, 60_000);
});

describe('a block that outlasts the patience', () => {
  const KEY = 'sk-test-blocked-02';
  let stack: KommoStack;

  beforeAll(async () => {
    stack = await startKommoStack({
      worker: true,
      vars: { KOMMO_BLOCK_PATIENCE_SECONDS: '3' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('ends kommo_blocked after KOMMO_BLOCK_PATIENCE_SECONDS; blocked at the lead read, no provider call', async () => {
    const shop = await installAccount(stack);
    await providerSettings(stack).save(shop.installationId, { openaiApiKey: KEY });
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Later.' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'when?' });
    await stack.sandbox.call('POST', '/_sandbox/rate-limit/block', {
      account_id: shop.account.id,
      seconds: 120,
    });
    const response = await fetch(shop.chatgptUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lead_id: lead }),
    });
    expect(response.status).toBe(200);
    const [row] = await waitFor(
      () => requestRows(stack, shop.installationId),
      (rows) => rows[0]?.status === 'failed',
      30_000,
    );
    expect(row).toMatchObject({ status: 'failed', error_class: 'kommo_blocked' });
    // Blocked at the lead read: the provider was never asked.
    expect(await stack.sandbox.aiCalls({ key: KEY })).toHaveLength(0);
  }, 45_000);
});
