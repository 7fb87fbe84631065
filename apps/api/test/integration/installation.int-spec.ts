import { LEAD_FIELD_KEYS, leadFieldCode, WidgetFieldsResponseSchema } from '@gpt-bridge/shared';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { FieldProvisioner } from '../../src/domain/fields/field-provisioner';
import {
  accessContext,
  refreshContext,
  TokenService,
} from '../../src/domain/installations/token.service';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { type SandboxAccount } from '../support/sandbox';

type Row = {
  id: string;
  kommo_account_id: string;
  status: string;
  host: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  installed_at: Date;
};

describe('installation against the Kommo sandbox', () => {
  let stack: KommoStack;
  let account: SandboxAccount;

  const row = async (accountId = account.id): Promise<Row | undefined> =>
    (
      await stack.db.query<Row[]>(`SELECT * FROM installations WHERE kommo_account_id = $1`, [
        accountId,
      ])
    )[0];

  const ourFieldsInSandbox = async (accountId = account.id) =>
    (await stack.sandbox.leadFields(accountId)).custom_fields.filter((f) =>
      f.code?.startsWith('GPT_BRIDGE_'),
    );

  const recordedFields = async (installationId: string) =>
    stack.db.query<{ key: string; id: number }[]>(
      `SELECT key, kommo_field_id::int AS id FROM installation_fields WHERE installation_id = $1`,
      [installationId],
    );

  /** Install (Kommo's server-side call) and wait until the six fields are recorded. */
  const installAndProvision = async (accountId = account.id) => {
    const before = (await row(accountId))?.installed_at?.getTime() ?? 0;
    await stack.sandbox.install(accountId);
    const installed = await waitFor(
      () => row(accountId),
      (r) => r?.status === 'active' && r.installed_at.getTime() > before,
    );
    await waitFor(
      () => recordedFields(installed!.id),
      (fields) => fields.length === LEAD_FIELD_KEYS.length,
    );
    // Fields may be recorded from an earlier install: wait until this install's jobs are done.
    await waitFor(
      async () => {
        const counts = await stack
          .worker!.get<Queue>(getQueueToken(QueueName.Installation))
          .getJobCounts();
        return counts.active + counts.waiting;
      },
      (busy) => busy === 0,
    );
    return installed!;
  };

  const widgetGet = async (route: string): Promise<unknown> => {
    const { token } = await stack.sandbox.widgetToken(account.id);
    const response = await fetch(`${stack.apiUrl}${route}`, { headers: { 'x-auth-token': token } });
    expect(response.status).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    stack = await startKommoStack({ worker: true });
    account = await stack.sandbox.createAccount({ subdomain: 'acme', language: 'pt' });
  });
  afterAll(async () => {
    await stack?.db.query(`DELETE FROM installations`);
    await stack?.stop();
  });

  it('install, then reinstall twice: one installation, each field exactly once', async () => {
    const first = await installAndProvision();
    expect(first.host).toBe('acme.kommo.com');
    await installAndProvision();
    const third = await installAndProvision();
    expect(third.id).toBe(first.id);

    const fields = await ourFieldsInSandbox();
    for (const key of LEAD_FIELD_KEYS) {
      expect(
        fields.filter((f) => f.code === leadFieldCode(key)),
        key,
      ).toHaveLength(1);
    }
    expect(fields).toHaveLength(LEAD_FIELD_KEYS.length);
    // Named in the account's language, with the types Kommo needs for long values.
    expect(fields.find((f) => f.code === 'GPT_BRIDGE_ANSWER')).toMatchObject({
      name: 'GPT Bridge | Resposta',
      type: 'textarea',
    });
    const recorded = await recordedFields(first.id);
    expect(recorded.map((r) => r.id).sort()).toEqual(fields.map((f) => f.id).sort());

    // The widget lists them with their Kommo ids.
    const listed = WidgetFieldsResponseSchema.parse(await widgetGet('/widget-api/fields'));
    expect(listed.complete).toBe(true);
    expect(listed.fields.map((f) => f.key)).toEqual([...LEAD_FIELD_KEYS]);
    for (const field of listed.fields) {
      expect(field.kommoFieldId).toBe(fields.find((f) => f.code === field.code)?.id);
    }
  });

  it('re-provisioning recreates a field deleted in Kommo, once', async () => {
    const installation = (await row())!;
    const deleted = (await ourFieldsInSandbox()).find((f) => f.code === 'GPT_BRIDGE_LOG')!;
    await stack.sandbox.deleteField(account.id, deleted.id);

    const provisioner = stack.worker!.get(FieldProvisioner);
    const result = await provisioner.provision(installation.id);
    expect(result.created).toEqual(['LOG']);
    await provisioner.provision(installation.id);

    const logFields = (await ourFieldsInSandbox()).filter((f) => f.code === 'GPT_BRIDGE_LOG');
    expect(logFields).toHaveLength(1);
    expect(logFields[0]!.id).not.toBe(deleted.id);
    const recorded = await recordedFields(installation.id);
    expect(recorded.find((r) => r.key === 'LOG')?.id).toBe(logFields[0]!.id);
  });

  it('keeps no token in plain text in the database', async () => {
    const installation = (await row())!;
    expect(installation.access_token_enc).toMatch(/^gcm1:t1:/);
    expect(installation.refresh_token_enc).toMatch(/^gcm1:t1:/);
    const box = stack.api.get(SecretBox);
    const access = box.decrypt(installation.access_token_enc!, accessContext(installation.id));
    const refresh = box.decrypt(installation.refresh_token_enc!, refreshContext(installation.id));
    expect(access.length).toBeGreaterThan(20);
    expect(refresh.length).toBeGreaterThan(20);

    // Every column of every table, as text: neither token appears anywhere.
    const dump = await stack.db.query<{ text: string }[]>(
      `SELECT string_agg(t::text, '|') AS text FROM (
         SELECT row_to_json(i)::text AS t FROM installations i
         UNION ALL SELECT row_to_json(f)::text FROM installation_fields f) rows`,
    );
    expect(dump[0]!.text).not.toContain(access);
    expect(dump[0]!.text).not.toContain(refresh);
    expect(dump[0]!.text).not.toContain(access.slice(0, 40));
  });

  it('the browser consent flow checks state and says what happened', async () => {
    const other = await stack.sandbox.createAccount({ subdomain: 'browser', domain: 'amocrm.ru' });
    // A browser of its own: another file's flood may have spent 127.0.0.1's starts for the
    // minute (oauth-unauthenticated.int-spec.ts), and budgets are per address.
    const start = await fetch(`${stack.apiUrl}/kommo/oauth/start`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250) + 1}` },
    });
    expect(start.status).toBe(302);
    const consent = new URL(start.headers.get('location')!);
    expect(consent.origin + consent.pathname).toBe(`${stack.sandbox.url}/oauth`);
    const state = consent.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);

    const granted = await stack.sandbox.consent(other.id, state);
    const page = await fetch(granted.redirect);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('connected to browser.amocrm.ru');
    expect((await row(other.id))?.status).toBe('active');

    // The same state again (a replayed redirect) and a made-up one are refused.
    const replay = await stack.sandbox.consent(other.id, state);
    expect((await fetch(replay.redirect)).status).toBe(400);
    const forged = await stack.sandbox.consent(other.id, 'not-a-state-we-issued');
    const forgedPage = await fetch(forged.redirect);
    expect(forgedPage.status).toBe(400);
    expect(await forgedPage.text()).toContain('expired or was already used');
  });

  it('refuses a referer that is not a Kommo account host', async () => {
    const response = await fetch(
      `${stack.apiUrl}/kommo/oauth/callback?code=abc&referer=evil.example.com&from_widget=1`,
    );
    expect(response.status).toBe(400);
  });

  it('a refresh that fails on the network is retried; one Kommo refuses marks auth_failed', async () => {
    const tokens = stack.worker!.get(TokenService);
    const installation = (await row())!;
    const expire = () =>
      stack.db.query(`UPDATE installations SET token_expires_at = now() WHERE id = $1`, [
        installation.id,
      ]);

    // Kommo answers 502 once: the refresh is retried and succeeds.
    await expire();
    await stack.sandbox.clearRequests();
    await stack.sandbox.addFault({ path: '/oauth2/access_token', status: 502, count: 1 });
    await expect(tokens.accessToken(installation.id)).resolves.toMatch(/\S{20,}/);
    const attempts = await stack.sandbox.requests({ path: '/oauth2/access_token' });
    expect(attempts.map((r) => r.status)).toEqual([502, 200]);
    expect((await row())?.status).toBe('active');

    // The refresh token is revoked at Kommo: the installation needs re-authorisation.
    await expire();
    await stack.sandbox.call('POST', `/_sandbox/accounts/${account.id}/revoke-tokens`, {});
    await expect(tokens.accessToken(installation.id)).rejects.toMatchObject({ kind: 'auth' });
    const failed = await stack.db.query<{ status: string; auth_error: string }[]>(
      `SELECT status, auth_error FROM installations WHERE id = $1`,
      [installation.id],
    );
    expect(failed[0]).toMatchObject({ status: 'auth_failed' });
    expect(failed[0]!.auth_error).toMatch(/refused/);
    // Later calls fail fast without asking Kommo again.
    await stack.sandbox.clearRequests();
    await expect(tokens.accessToken(installation.id)).rejects.toMatchObject({ kind: 'auth' });
    expect(await stack.sandbox.requests({ path: '/oauth2/access_token' })).toEqual([]);

    // Reinstalling brings it back.
    await installAndProvision();
    expect((await row())?.status).toBe('active');
  });

  it('uninstall: a forged signature changes nothing, a good one disables', async () => {
    const forged = await stack.sandbox.uninstall(account.id, { forge: true, revoke: false });
    expect(forged.call.status).toBe(401);
    expect((await row())?.status).toBe('active');

    const good = await stack.sandbox.uninstall(account.id);
    expect(good.call.status).toBe(200);
    const disabled = (await row())!;
    expect(disabled.status).toBe('disabled');
    expect(disabled.access_token_enc).toBeNull();

    // Its processing stops: provisioning for it fails without calling Kommo.
    await stack.sandbox.clearRequests();
    const provisioner = stack.worker!.get(FieldProvisioner);
    await expect(provisioner.provision(disabled.id)).rejects.toThrow(/disabled/);
    expect(await stack.sandbox.requests({ account_id: account.id, direction: 'in' })).toEqual([]);
  });
});
