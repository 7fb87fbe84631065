import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionService } from '../../src/domain/requests/retention/retention.service';
import { AdminClient, createAdminUser } from '../support/admin-client';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  postJson,
  providerSettings,
  settled,
  usageCount,
} from '../support/webhook-stack';

// Issue 19 §16: an uninstalled account's personal data goes UNINSTALL_PURGE_DAYS (30) after
// Kommo's uninstall hook; a reinstall within it keeps everything; usage and audit stay.
const KEY = 'sk-test-uninstall-purge-0001';
const SUPPORT = { email: 'purge-desk@gptbridge.test', password: 'purge desk password 01' };

let stack: KommoStack;
let retention: RetentionService;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  retention = stack.worker!.get(RetentionService);
  await createAdminUser(stack, SUPPORT.email, 'support', SUPPORT.password);
});

afterAll(async () => {
  await stack?.stop();
});

const count = async (sql: string, args: unknown[]) =>
  Number((await stack.db.query<{ n: string }[]>(sql, args))[0]!.n);

describe('purge after uninstall (UNINSTALL_PURGE_DAYS)', () => {
  let gone: InstalledAccount;
  let back: InstalledAccount;

  const footprint = async (id: string) => ({
    requests: await count(`SELECT count(*) AS n FROM ai_requests WHERE installation_id = $1`, [id]),
    memories: await count(
      `SELECT count(*) AS n FROM lead_conversations WHERE installation_id = $1`,
      [id],
    ),
    settings: await count(
      `SELECT count(*) AS n FROM provider_settings WHERE installation_id = $1`,
      [id],
    ),
    webhookTokens: await count(
      `SELECT count(*) AS n FROM webhook_tokens WHERE installation_id = $1`,
      [id],
    ),
    usage: await usageCount(stack, id),
  });

  /** An installed account with one answered assistant request (a conversation kept per lead). */
  async function used(): Promise<InstalledAccount> {
    const account = await installAccount(stack);
    await providerSettings(stack).save(account.installationId, {
      openaiApiKey: KEY,
      assistant: { provider: 'openai', model: 'gpt-4o-mini' },
    });
    const lead = await createLeadWith(stack, account.account.id, { PROMPT: 'Where is my parcel?' });
    expect((await postJson(account.assistantUrl, { lead_id: lead })).status).toBe(200);
    await settled(stack, account.installationId);
    return account;
  }

  const uninstalledDaysAgo = (id: string, days: number) =>
    stack.db.query(
      `UPDATE installations SET uninstalled_at = now() - make_interval(days => $2) WHERE id = $1`,
      [id, days],
    );

  beforeAll(async () => {
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'It is on its way.' } });
    gone = await used();
    back = await used();
  });

  it('keeps everything during the grace period, then deletes the personal data', async () => {
    const full = await footprint(gone.installationId);
    expect(full).toEqual({ requests: 1, memories: 1, settings: 1, webhookTokens: 2, usage: 1 });
    expect((await stack.sandbox.uninstall(gone.account.id)).call.status).toBe(200);
    const [uninstalled] = await stack.db.query<{ uninstalled_at: Date | null }[]>(
      `SELECT uninstalled_at FROM installations WHERE id = $1`,
      [gone.installationId],
    );
    expect(uninstalled!.uninstalled_at).toBeInstanceOf(Date);

    await uninstalledDaysAgo(gone.installationId, 29);
    await retention.run();
    expect(await footprint(gone.installationId)).toEqual(full);

    await uninstalledDaysAgo(gone.installationId, 31);
    const auditBefore = await count(`SELECT count(*) AS n FROM audit_log`, []);
    const report = await retention.run();
    expect(report.accountsPurged).toBe(1);
    expect(report.requestsDeleted).toBe(1);
    // Usage counts stay (plans and invoices need them), with the installation row they hang on.
    expect(await footprint(gone.installationId)).toEqual({
      requests: 0,
      memories: 0,
      settings: 0,
      webhookTokens: 0,
      usage: 1,
    });
    const [row] = await stack.db.query<Record<string, unknown>[]>(
      `SELECT status, purged_at, access_token_enc, refresh_token_enc, token_user_id
         FROM installations WHERE id = $1`,
      [gone.installationId],
    );
    expect(row).toMatchObject({
      status: 'disabled',
      access_token_enc: null,
      refresh_token_enc: null,
      token_user_id: null,
    });
    expect(row!.purged_at).toBeInstanceOf(Date);
    expect(await count(`SELECT count(*) AS n FROM audit_log`, [])).toBe(auditBefore);

    const support = await AdminClient.login(stack, SUPPORT.email, SUPPORT.password);
    const page = await support.get(`/admin/api/accounts/${gone.installationId}`);
    expect(page.body).toMatchObject({
      uninstalledAt: expect.any(String) as unknown,
      purgedAt: expect.any(String) as unknown,
    });
  });

  it('a reinstall within the grace period keeps the data', async () => {
    const full = await footprint(back.installationId);
    await stack.sandbox.uninstall(back.account.id);
    await uninstalledDaysAgo(back.installationId, 20);
    await stack.sandbox.install(back.account.id);
    await waitFor(
      async () =>
        (
          await stack.db.query<{ status: string; uninstalled_at: Date | null }[]>(
            `SELECT status, uninstalled_at FROM installations WHERE id = $1`,
            [back.installationId],
          )
        )[0],
      (r) => r?.status === 'active' && r.uninstalled_at === null,
    );
    await retention.run();
    expect(await footprint(back.installationId)).toEqual(full);
  });

  it('an account an admin had disabled still starts its grace period when uninstalled', async () => {
    const account = await installAccount(stack);
    await stack.db.query(
      `UPDATE installations SET status = 'disabled', disabled_at = now() WHERE id = $1`,
      [account.installationId],
    );
    expect((await stack.sandbox.uninstall(account.account.id)).call.status).toBe(200);
    const [row] = await stack.db.query<Record<string, unknown>[]>(
      `SELECT uninstalled_at, access_token_enc FROM installations WHERE id = $1`,
      [account.installationId],
    );
    expect(row!.uninstalled_at).toBeInstanceOf(Date);
    expect(row!.access_token_enc).toBeNull();
  });
});
