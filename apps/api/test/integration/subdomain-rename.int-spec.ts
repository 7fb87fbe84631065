import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  createLeadWith,
  installAccount,
  leadValues,
  observedWebhookBody,
  postForm,
  providerSettings,
} from '../support/webhook-stack';

const KEY = 'sk-test-subdomain-rename-01';

let stack: KommoStack;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
});

afterAll(async () => {
  await stack?.stop();
});

type HostRow = { subdomain: string; host: string; token_refreshed_at: Date | null };
const hostOf = async (installationId: string): Promise<HostRow> =>
  (
    await stack.db.query<HostRow[]>(
      `SELECT subdomain, host, token_refreshed_at FROM installations WHERE id = $1`,
      [installationId],
    )
  )[0]!;

/** Renames the account in the sandbox: its old host then answers 404 "Account not found". */
const rename = async (accountId: number, subdomain: string) =>
  stack.sandbox.call('PATCH', `/_sandbox/accounts/${accountId}`, { subdomain });

// docs/kommo-contract.md §2.6: a renamed account's calls move to its new host.
describe('an account renames its subdomain', () => {
  it('answers a webhook on the new host and moves the installation there', async () => {
    const shop = await installAccount(stack);
    await providerSettings(stack).save(shop.installationId, {
      openaiApiKey: KEY,
      assistant: { provider: 'openai', model: 'gpt-4o-mini', instructions: 'You sell shoes.' },
    });
    await stack.sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Open at 9.' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'When do you open?' });
    const renamed = `${shop.account.subdomain}-new`;
    await rename(shop.account.id, renamed);
    await stack.sandbox.clearRequests();

    const body = observedWebhookBody({ id: shop.account.id, subdomain: renamed }, lead);
    expect((await postForm(shop.assistantUrl, body)).status).toBe(200);
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
    );
    expect(values).toMatchObject({ ANSWER: 'Open at 9.', LOG: 'ok' });

    expect(await hostOf(shop.installationId)).toMatchObject({
      subdomain: renamed,
      host: `${renamed}.kommo.com`,
    });
    // One lookup for the whole job, on the central host.
    const lookups = await stack.sandbox.requests({ kind: 'oauth.subdomain' });
    expect(lookups.map((r) => [r.path, r.status])).toEqual([
      ['/central/oauth2/account/current/subdomain', 200],
    ]);
  });

  it('lets the scheduled token refresh find the new host', async () => {
    const shop = await installAccount(stack);
    const renamed = `${shop.account.subdomain}-moved`;
    await rename(shop.account.id, renamed);
    // Due for the scheduled refresh.
    await stack.db.query(
      `UPDATE installations SET token_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [shop.installationId],
    );
    const before = (await hostOf(shop.installationId)).token_refreshed_at;
    await stack.sandbox.clearRequests();

    const queue = stack.api.get<Queue>(getQueueToken(QueueName.Installation));
    const job = await queue.add('refresh-tokens', {}, { removeOnComplete: false });
    const result = (await job.finished()) as { refreshed: number; failed: number };
    expect(result.failed).toBe(0);

    const row = await hostOf(shop.installationId);
    expect(row).toMatchObject({ subdomain: renamed, host: `${renamed}.kommo.com` });
    expect(row.token_refreshed_at?.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
    const refreshes = await stack.sandbox.requests({
      kind: 'oauth.refresh_token',
      account_id: shop.account.id,
    });
    expect(refreshes.map((r) => r.status)).toEqual([200]);
    const status = await stack.db.query<{ status: string }[]>(
      `SELECT status FROM installations WHERE id = $1`,
      [shop.installationId],
    );
    expect(status[0]?.status).toBe('active');
  });

  it('makes one lookup when several jobs fail on the old host at once', async () => {
    const shop = await installAccount(stack);
    const renamed = `${shop.account.subdomain}-many`;
    await rename(shop.account.id, renamed);
    await stack.sandbox.clearRequests();
    const queue = stack.api.get<Queue>(getQueueToken(QueueName.Installation));
    const jobs = await Promise.all(
      Array.from({ length: 6 }, () =>
        queue.add(
          'sync-account',
          { installationId: shop.installationId },
          { removeOnComplete: false },
        ),
      ),
    );
    const results = await Promise.allSettled(jobs.map((job) => job.finished()));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await stack.sandbox.requests({ kind: 'oauth.subdomain' })).toHaveLength(1);
    expect((await hostOf(shop.installationId)).subdomain).toBe(renamed);
  });
});
