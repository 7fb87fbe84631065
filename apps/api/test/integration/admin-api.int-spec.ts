import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { accessContext, refreshContext } from '../../src/domain/installations/token.service';
import { AdminClient, createAdminUser, seenBodies } from '../support/admin-client';
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

const OPENAI_KEY = 'sk-test-admin-replay-0001';
const ASSISTANT_KEY = 'sk-test-admin-assistant-0002';
const ADMIN = { email: 'ops@gptbridge.test', password: 'ops password 000001' };
const SUPPORT = { email: 'desk@gptbridge.test', password: 'desk password 000001' };

let stack: KommoStack;
let shop: InstalledAccount;
let other: InstalledAccount;
let admin: AdminClient;
let support: AdminClient;
/** Every OAuth token the account held during the test (a forced refresh makes new ones). */
const oauthTokens = new Set<string>();

async function collectTokens(installationId: string): Promise<void> {
  const box = stack.api.get(SecretBox);
  const [row] = await stack.db.query<
    { access_token_enc: string | null; refresh_token_enc: string | null }[]
  >(`SELECT access_token_enc, refresh_token_enc FROM installations WHERE id = $1`, [
    installationId,
  ]);
  if (row?.access_token_enc) {
    oauthTokens.add(box.decrypt(row.access_token_enc, accessContext(installationId)));
    oauthTokens.add(row.access_token_enc);
  }
  if (row?.refresh_token_enc) {
    oauthTokens.add(box.decrypt(row.refresh_token_enc, refreshContext(installationId)));
    oauthTokens.add(row.refresh_token_enc);
  }
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
  other = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: OPENAI_KEY,
    assistant: { provider: 'openai', apiKey: ASSISTANT_KEY, model: 'gpt-4o-mini' },
  });
  await createAdminUser(stack, ADMIN.email, 'admin', ADMIN.password);
  await createAdminUser(stack, SUPPORT.email, 'support', SUPPORT.password);
  admin = await AdminClient.login(stack, ADMIN.email, ADMIN.password);
  support = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
  await collectTokens(shop.installationId);
  await collectTokens(other.installationId);
});

afterAll(async () => {
  await stack?.stop();
});

type Req = { id: string; status: string; errorClass: string | null; replayOf: string | null };

describe('admin API: finding and replaying a failed request', () => {
  let failedId: string;
  let leadId: number;

  // Acceptance 1, the API part: find the account, see the failure, replay it, audit shows it.
  it('finds the account by subdomain and shows its failed request with the error class', async () => {
    await stack.sandbox.aiScript(OPENAI_KEY, { failures: [{ kind: 'invalid_api_key' }] });
    leadId = await createLeadWith(stack, shop.account.id, { PROMPT: 'Where is my order?' });
    expect((await postJson(shop.chatgptUrl, { lead_id: leadId })).status).toBe(200);
    const [row] = (await settled(stack, shop.installationId)).filter(
      (r) => r.lead_id === String(leadId),
    );
    expect(row).toMatchObject({ status: 'failed', error_class: 'auth' });
    failedId = row!.id;

    const search = await support.get(
      `/admin/api/accounts?q=${encodeURIComponent(shop.account.subdomain.slice(0, -2).toUpperCase())}`,
    );
    expect(search.status).toBe(200);
    const accounts = (search.body as { accounts: Record<string, unknown>[] }).accounts;
    expect(accounts.map((a) => a.id)).toEqual([shop.installationId]);
    expect(accounts[0]).toMatchObject({
      status: 'active',
      plan: { id: 'trial', name: 'Trial' },
      usage: { used: 0, allowance: 200 },
      lastRequestAt: expect.any(String) as unknown,
      errorRate: 1,
      failed7d: 1,
      finished7d: 1,
    });
    const byId = await support.get(`/admin/api/accounts?q=${shop.account.id}`);
    expect((byId.body as { accounts: { id: string }[] }).accounts.map((a) => a.id)).toEqual([
      shop.installationId,
    ]);

    const page = await support.get(`/admin/api/accounts/${shop.installationId}`);
    expect(page.status).toBe(200);
    const detail = page.body as Record<string, unknown> & {
      fields: { key: string; kommoFieldId: number }[];
      recentRequests: Req[];
    };
    expect(detail).toMatchObject({
      subdomain: shop.account.subdomain,
      kommoAccountId: shop.account.id,
      tokenHealth: {
        hasTokens: true,
        expiresAt: expect.any(String) as unknown,
        lastRefreshAt: expect.any(String) as unknown,
        authError: null,
      },
      webhookKinds: ['chatgpt'],
      provider: { openaiApiKey: { set: true, hint: 'sk-t…0001' } },
      usageSummary: { used: 0, allowance: 200 },
    });
    expect(detail.fields).toHaveLength(6);
    expect(detail.fields.every((f) => f.kommoFieldId > 0)).toBe(true);
    expect(detail.recentRequests[0]).toMatchObject({
      id: failedId,
      status: 'failed',
      errorClass: 'auth',
    });

    const list = await support.get(
      `/admin/api/requests?account=${shop.account.subdomain}&status=failed&kind=chatgpt`,
    );
    expect((list.body as { requests: Req[] }).requests.map((r) => r.id)).toEqual([failedId]);
    const one = await support.get(`/admin/api/requests/${failedId}`);
    expect(one.body).toMatchObject({
      id: failedId,
      leadId,
      status: 'failed',
      provider: 'openai_chat',
      errorClass: 'auth',
      errorMessage: expect.stringMatching(/API key/i) as unknown,
      replayOf: null,
      tokens: { input: null, output: null, total: null },
    });
    const empty = await support.get(
      `/admin/api/requests?account=${shop.installationId}&from=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect((empty.body as { requests: Req[] }).requests).toEqual([]);
    expect((await support.get('/admin/api/requests?status=nope')).status).toBe(400);
  });

  it('replays it once fixed: a new linked request ends done and the audit log shows it', async () => {
    await stack.sandbox.aiScript(OPENAI_KEY, {
      answer: { mode: 'fixed', text: 'It ships today.' },
    });
    const replay = await support.post(`/admin/api/requests/${failedId}/replay`);
    expect(replay.status).toBe(202);
    const replayId = (replay.body as { id: string }).id;
    expect(replayId).not.toBe(failedId);

    const done = await waitFor(
      async () => (await support.get(`/admin/api/requests/${replayId}`)).body as Req,
      (r) => r.status === 'done' || r.status === 'failed',
      30_000,
    );
    expect(done).toMatchObject({ status: 'done', replayOf: failedId, errorClass: null });
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, leadId),
      (v) => v.ANSWER === 'It ships today.',
    );
    expect(values).toMatchObject({ LOG: 'ok', ANSWER_RECEIVED: 'Full' });
    const rows = await requestRows(stack, shop.installationId);
    expect(rows.find((r) => r.id === failedId)?.status).toBe('failed');

    for (const target of [failedId, shop.installationId]) {
      const audit = await support.get(`/admin/api/audit?target=${target}`);
      const entries = (audit.body as { entries: Record<string, unknown>[] }).entries;
      expect(entries[0]).toMatchObject({
        actorEmail: SUPPORT.email,
        action: 'request.replay',
        targetType: 'request',
        targetId: failedId,
        before: { status: 'failed', errorClass: 'auth' },
        after: { replayId, status: 'queued' },
      });
    }

    // Only failed requests: the replay itself (done) is refused.
    const again = await support.post(`/admin/api/requests/${replayId}/replay`);
    expect(again.status).toBe(409);
    expect(
      (await support.post('/admin/api/requests/00000000-0000-4000-8000-000000000000/replay'))
        .status,
    ).toBe(404);
  });
});

describe('admin API: actions and queue health', () => {
  it('changes plan, override and cap (audited before/after) and edits a plan', async () => {
    const changed = await admin.put(`/admin/api/accounts/${shop.installationId}/plan`, {
      planId: 'starter',
      monthlyRequestsOverride: 2500,
      leadDailyCap: 40,
    });
    expect(changed.status).toBe(200);
    const page = await admin.get(`/admin/api/accounts/${shop.installationId}`);
    expect(page.body).toMatchObject({
      plan: { id: 'starter' },
      monthlyRequestsOverride: 2500,
      leadDailyCap: 40,
      usageSummary: { allowance: 2500, used: 1 },
    });
    const edited = await admin.put('/admin/api/plans/pro', { monthlyRequests: 12000 });
    expect(edited.body).toMatchObject({ id: 'pro', monthlyRequests: 12000 });
    expect((await admin.put('/admin/api/plans/pro', {})).status).toBe(400);
    const audit = await admin.get(`/admin/api/audit?target=${shop.installationId}`);
    expect((audit.body as { entries: Record<string, unknown>[] }).entries[0]).toMatchObject({
      actorEmail: ADMIN.email,
      action: 'account.change_plan',
      before: { planId: 'trial', monthlyRequestsOverride: null, leadDailyCap: null },
      after: { planId: 'starter', monthlyRequestsOverride: 2500, leadDailyCap: 40 },
    });
    const planAudit = await admin.get('/admin/api/audit?target=pro');
    expect((planAudit.body as { entries: Record<string, unknown>[] }).entries[0]).toMatchObject({
      action: 'plan.update',
      before: { monthlyRequests: 10000 },
      after: { monthlyRequests: 12000 },
    });
  });

  it('forces a token refresh through Kommo and shows the new expiry', async () => {
    const before = (await admin.get(`/admin/api/accounts/${shop.installationId}`)).body as {
      tokenHealth: { lastRefreshAt: string };
    };
    const refreshed = await admin.post(`/admin/api/accounts/${shop.installationId}/refresh-token`);
    expect(refreshed.status).toBe(200);
    const after = (refreshed.body as { tokenHealth: { lastRefreshAt: string; status: string } })
      .tokenHealth;
    expect(after.status).toBe('active');
    expect(new Date(after.lastRefreshAt).getTime()).toBeGreaterThan(
      new Date(before.tokenHealth.lastRefreshAt).getTime(),
    );
    await collectTokens(shop.installationId);
    expect(oauthTokens.size).toBeGreaterThanOrEqual(8);
  });

  it('disables and enables an account; enabling one without tokens is a clear 409', async () => {
    const off = await admin.post(`/admin/api/accounts/${other.installationId}/disable`);
    expect(off.body).toEqual({ status: 'disabled' });
    const on = await admin.post(`/admin/api/accounts/${other.installationId}/enable`);
    expect(on.body).toEqual({ status: 'active' });

    await stack.sandbox.uninstall(other.account.id);
    await waitFor(
      async () =>
        (
          await stack.db.query<{ status: string }[]>(
            `SELECT status FROM installations WHERE id = $1`,
            [other.installationId],
          )
        )[0]?.status,
      (s) => s === 'disabled',
    );
    const refused = await admin.post(`/admin/api/accounts/${other.installationId}/enable`);
    expect(refused.status).toBe(409);
    expect((refused.body as { message: string }).message).toMatch(/no Kommo tokens.*install/);
    const audit = await admin.get(`/admin/api/audit?target=${other.installationId}`);
    expect((audit.body as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual([
      'account.enable',
      'account.disable',
    ]);
  });

  it('re-provisions fields (support may) and reports queue health', async () => {
    const response = await support.post(`/admin/api/accounts/${shop.installationId}/reprovision`);
    expect(response.status).toBe(202);
    const queues = await support.get('/admin/api/queues');
    expect(queues.status).toBe(200);
    const list = (queues.body as { queues: Record<string, unknown>[] }).queues;
    expect(list.map((q) => q.name)).toEqual(['system', 'installation', 'ai']);
    for (const queue of list) {
      expect(queue).toMatchObject({
        waiting: expect.any(Number) as unknown,
        active: expect.any(Number) as unknown,
        delayed: expect.any(Number) as unknown,
        failed: expect.any(Number) as unknown,
      });
    }
    const usage = await support.get(
      `/admin/api/accounts/${shop.installationId}/usage?month=2026-01`,
    );
    expect(usage.body).toMatchObject({ month: '2026-01', used: 0, resetsOn: '2026-02-01' });
    expect(
      (await support.get(`/admin/api/accounts/${shop.installationId}/usage?month=13`)).status,
    ).toBe(400);
    const audit = await support.get(`/admin/api/audit?target=${shop.installationId}`);
    expect((audit.body as { entries: Record<string, unknown>[] }).entries[0]).toMatchObject({
      action: 'account.reprovision_fields',
      actorEmail: SUPPORT.email,
    });
  });
});

// Acceptance 5: runs last, over every admin response this file (and its client) received.
describe('admin API: secrets', () => {
  it('no response contained an OAuth token, a provider key or a webhook token', async () => {
    // A few more reads, so every listing is in the sample.
    for (const path of [
      '/admin/api/accounts',
      `/admin/api/accounts/${shop.installationId}`,
      `/admin/api/accounts/${other.installationId}`,
      '/admin/api/requests?limit=500',
      '/admin/api/audit',
      '/admin/api/users',
      '/admin/api/me',
    ]) {
      expect((await admin.get(path)).status).toBe(200);
    }
    await collectTokens(shop.installationId);
    const webhookTokens = [shop.chatgptUrl, shop.assistantUrl].map(
      (url) => new URL(url).pathname.split('/')[1]!,
    );
    const secrets = [
      ...oauthTokens,
      OPENAI_KEY,
      ASSISTANT_KEY,
      ...webhookTokens,
      stack.env.KOMMO_CLIENT_SECRET!,
    ];
    expect(secrets.every((s) => s.length >= 16)).toBe(true);
    expect(seenBodies.length).toBeGreaterThan(30);
    const all = seenBodies.join('\n');
    for (const secret of secrets) {
      expect(all.includes(secret), `a response contains ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(all).not.toMatch(/scrypt\$/);
  });
});
