import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  eventsUrl,
  type InstalledBot,
  installWithTemplate,
  pauseRow,
  teamMessage,
  untilPaused,
  untilSubscription,
  widgetCall,
} from '../support/handoff';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { botMessages, INTENT_SCRIPT } from '../support/salesbot-driver';
import { AdminClient, createAdminUser } from '../support/admin-client';
import { installAccount, postForm, postJson } from '../support/webhook-stack';

// Issue 22 points 1, 2 and 4 (API): how a person is told from the bot (docs/kommo-contract.md
// §8.4 variants A, B, C, D), what the account webhook route refuses, the lead card's routes and
// their account scoping, and the unsubscribe at uninstall. The templates' acceptance is in
// handoff-templates.int-spec.ts.

const KEY_GPT = 'sk-test-handoff-chatgpt-000001';
const KEY_ASSISTANT = 'sk-test-handoff-assistant-00001';
const ANSWER = 'We have those sneakers in sizes 38 to 45.';

let stack: KommoStack;
let bot: InstalledBot;

const setWebhookSwitches = (webhooks: Record<string, string>) =>
  stack.sandbox.call('PATCH', '/_sandbox/settings', { webhooks });

const deliveries = (account: number, lead: number, event: string) =>
  stack.sandbox
    .call<{ deliveries: { state: string; attempts: { status: number }[] }[] }>(
      'GET',
      `/_sandbox/webhooks/deliveries?account=${account}&lead_id=${lead}&event=${event}`,
    )
    .then((r) => r.deliveries);

/** Once every chat message of the lead reached our route and was answered. */
const allDelivered = (account: number, lead: number, event: string, count: number) =>
  waitFor(
    () => deliveries(account, lead, event),
    (list) => list.length >= count && list.every((d) => d.state === 'delivered'),
  );

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  await stack.sandbox.aiScript(KEY_GPT, INTENT_SCRIPT);
  await stack.sandbox.aiScript(KEY_ASSISTANT, {
    answer: { mode: 'fixed', text: ANSWER },
    failures: [],
  });
  bot = await installWithTemplate(stack, 'widget_block', {
    chatgpt: KEY_GPT,
    assistant: KEY_ASSISTANT,
  });
}, 120_000);

afterEach(async () => {
  await setWebhookSwitches({ botMessages: 'bot', outgoingMessages: 'add_outgoing_message' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('subscribing', () => {
  it('subscribes one destination with both chat events at install (idempotent on reinstall)', async () => {
    const { shop } = bot;
    const url = await eventsUrl(stack, shop.installationId);
    const hooks = await stack.sandbox.call<{
      webhooks: { destination: string; settings: string[] }[];
    }>('GET', `/_sandbox/accounts/${shop.account.id}/webhooks`);
    const ours = hooks.webhooks.filter((h) => h.destination === url);
    expect(ours).toHaveLength(1);
    expect([...ours[0]!.settings].sort()).toEqual(['add_message', 'add_outgoing_message']);
    // The install's URL path carries the secret; the widget shows the state, never the URL.
    const view = await widgetCall(stack, shop.account.id, 'GET', '/handoff');
    expect(view.json).toMatchObject({ silenceMinutes: 30, subscription: { state: 'subscribed' } });
    expect(JSON.stringify(view.json)).not.toContain(url.split('/').at(-1)!);
  });

  it('variant D: a non-admin token is refused; the widget says why', async () => {
    const account = await stack.sandbox.createAccount({
      subdomain: `handoffd${Date.now()}`,
      current_user_is_admin: false,
    });
    await stack.sandbox.install(account.id);
    const row = await waitFor(
      async () =>
        (
          await stack.db.query<{ id: string }[]>(
            `SELECT id FROM installations WHERE kommo_account_id = $1`,
            [account.id],
          )
        )[0],
      (r) => r !== undefined,
    );
    const failed = await untilSubscription(stack, row!.id, 'failed');
    expect(failed.error).toMatch(/403|forbidden|denied|rights/i);
    const view = await widgetCall(stack, account.id, 'GET', '/handoff');
    expect(view.json).toMatchObject({ subscription: { state: 'failed' } });
  });
});

describe('who wrote: a person or the bot', () => {
  it('variant A: a team member pauses the lead; the bot (author type bot) does not', async () => {
    const { shop, driver } = bot;
    const lead = await driver.newLead('variant-a');
    await driver.say(lead, 'Do you have sneakers?');
    await driver.until(lead, (c) => botMessages(c).length === 1);
    await allDelivered(shop.account.id, lead, 'add_outgoing_message', 1);
    expect(await pauseRow(stack, shop.installationId, lead)).toBeUndefined();
    const wrote = await teamMessage(stack, lead, 'I can help you with sizes.');
    const pause = await untilPaused(stack, shop.installationId, lead);
    expect(pause).toMatchObject({
      source: 'team_message',
      user_id: String(wrote.user.id),
      user_name: wrote.user.name,
    });
    expect(pause.handback).toContain('I can help you with sizes.');
    // A new customer message is not sent to the provider while the lead is paused.
    const calls = (await stack.sandbox.aiCalls({ key: KEY_ASSISTANT })).length;
    await driver.say(lead, 'Size 44?');
    await waitFor(
      () =>
        stack.db.query<{ error_class: string | null }[]>(
          `SELECT error_class FROM ai_requests WHERE lead_id = $1 AND status = 'refused'`,
          [lead],
        ),
      (rows) => rows.some((r) => r.error_class === 'paused_by_person'),
    );
    expect((await stack.sandbox.aiCalls({ key: KEY_ASSISTANT })).length).toBe(calls);
    expect(botMessages(await driver.chat(lead))).toEqual([ANSWER]);
  });

  it('variant B: the bot posing as its owner is told apart by the text of our answer', async () => {
    const { shop, driver } = bot;
    await setWebhookSwitches({ botMessages: 'owner' });
    const lead = await driver.newLead('variant-b');
    await driver.say(lead, 'Do you have sneakers?');
    await driver.until(lead, (c) => botMessages(c).length === 1);
    // The bot's answer came back as an internal author with a real user id, and was delivered.
    await allDelivered(shop.account.id, lead, 'add_outgoing_message', 1);
    expect(await pauseRow(stack, shop.installationId, lead)).toBeUndefined();
    // The same owner writing something else is a person.
    await teamMessage(stack, lead, 'Let me check the stock for you.');
    await untilPaused(stack, shop.installationId, lead);
  });

  it('variant C: team messages as add_message with type=outgoing pause the lead', async () => {
    const { shop, driver } = bot;
    await setWebhookSwitches({ outgoingMessages: 'add_message' });
    const lead = await driver.newLead('variant-c');
    await teamMessage(stack, lead, 'Hello from the team.');
    await untilPaused(stack, shop.installationId, lead);
    const delivered = await allDelivered(shop.account.id, lead, 'add_message', 1);
    expect(delivered.every((d) => d.attempts.at(-1)?.status === 200)).toBe(true);
  });
});

describe('the account webhook route', () => {
  const form = (fields: Record<string, string>) =>
    Object.entries(fields)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
  const teamItem = (account: number, lead: number, id: string) =>
    form({
      'outgoing_message[add][0][id]': id,
      'outgoing_message[add][0][type]': 'outgoing',
      'outgoing_message[add][0][text]': 'manual',
      'outgoing_message[add][0][element_type]': '2',
      'outgoing_message[add][0][element_id]': String(lead),
      'outgoing_message[add][0][author][type]': 'internal',
      'outgoing_message[add][0][author][user_id]': '5',
      'account[id]': String(account),
    });

  it('refuses what Kommo never sends with a 4xx, and unknown URLs with 404', async () => {
    const { shop } = bot;
    const url = await eventsUrl(stack, shop.installationId);
    const lead = await bot.driver.newLead('bad-bodies');
    const json = await postJson(url, { message: { add: [] } });
    expect(json.status).toBe(415);
    expect((await postForm(url, 'account%5Bsubdomain%5D=x')).status).toBe(400);
    const wrongAccount = await postForm(url, teamItem(shop.account.id + 1, lead, 'x-1'));
    expect(wrongAccount.status).toBe(400);
    expect(await wrongAccount.text()).toContain('account[id]');
    expect((await postForm(url, form({ 'account[id]': String(shop.account.id) }))).status).toBe(
      400,
    );
    const noId = teamItem(shop.account.id, lead, '');
    expect((await postForm(url, noId)).status).toBe(400);
    expect(await pauseRow(stack, shop.installationId, lead)).toBeUndefined();
    const base = new URL(url);
    const unknown = await postForm(
      `${base.origin}/kommo/events/${'A'.repeat(43)}`,
      teamItem(shop.account.id, lead, 'x-2'),
    );
    expect(unknown.status).toBe(404);
    expect((await postForm(`${base.origin}/kommo/events/short`, 'a=1')).status).toBe(404);
    // A good one is answered 200 and pauses; its resend (same message id) changes nothing.
    expect((await postForm(url, teamItem(shop.account.id, lead, 'm-ok'))).status).toBe(200);
    const first = await pauseRow(stack, shop.installationId, lead);
    expect(first?.handback).toBe('A team member: manual');
    expect((await postForm(url, teamItem(shop.account.id, lead, 'm-ok'))).status).toBe(200);
    expect((await pauseRow(stack, shop.installationId, lead))?.handback).toBe(
      'A team member: manual',
    );
  });
});

describe('the lead card routes', () => {
  it('pause and resume by button, validated, scoped to the token account', async () => {
    const { shop, driver } = bot;
    const lead = await driver.newLead('buttons');
    const other = await installAccount(stack);
    const foreignLead = (await stack.sandbox.createLead(other.account.id, { name: 'theirs' })).id;

    const active = await widgetCall(stack, shop.account.id, 'GET', `/leads/${lead}/ai-state`);
    expect(active.json).toEqual({ leadId: lead, state: 'active', pause: null, silenceMinutes: 30 });
    const bad = await widgetCall(stack, shop.account.id, 'POST', `/leads/${lead}/pause`, {
      minutes: 0,
    });
    expect(bad.status).toBe(400);
    expect((await widgetCall(stack, shop.account.id, 'GET', '/leads/abc/ai-state')).status).toBe(
      400,
    );
    const paused = await widgetCall(stack, shop.account.id, 'POST', `/leads/${lead}/pause`, {
      minutes: 15,
    });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ state: 'paused', pause: { source: 'widget_button' } });
    const until = await widgetCall(stack, shop.account.id, 'POST', `/leads/${lead}/pause`);
    expect(until.json).toMatchObject({ state: 'paused', pause: { resumesAt: null } });

    // Another account's token sees nothing of this lead, and cannot touch it.
    for (const [method, route] of [
      ['GET', `/leads/${lead}/ai-state`],
      ['POST', `/leads/${lead}/pause`],
      ['POST', `/leads/${lead}/resume`],
    ] as const) {
      const foreign = await widgetCall(stack, other.account.id, method, route);
      expect(foreign.status, `${method} ${route}`).toBe(404);
    }
    expect(
      (await widgetCall(stack, shop.account.id, 'GET', `/leads/${foreignLead}/ai-state`)).status,
    ).toBe(404);
    expect(await pauseRow(stack, other.installationId, lead)).toBeUndefined();

    // Support sees the account's pauses, and only its own.
    await createAdminUser(stack, 'handoff-support@example.com', 'support', 'correct horse 22');
    const admin = await AdminClient.login(stack, 'handoff-support@example.com', 'correct horse 22');
    const list = await admin.call('GET', `/admin/api/accounts/${shop.installationId}/pauses`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ leadId: lead, source: 'widget_button' })]),
    );
    const theirs = await admin.call('GET', `/admin/api/accounts/${other.installationId}/pauses`);
    expect(theirs.body).toEqual([]);
    expect((await admin.call('GET', '/admin/api/accounts/nope/pauses')).status).toBe(404);

    const resumed = await widgetCall(stack, shop.account.id, 'POST', `/leads/${lead}/resume`);
    expect(resumed.json).toMatchObject({ state: 'active', pause: null });
  });

  it('the silence time: administrators change it, within 1 to 10080 minutes', async () => {
    const { shop } = bot;
    const user = await stack.sandbox.addUser(shop.account.id, { name: 'Seller' });
    const refused = await widgetCall(
      stack,
      shop.account.id,
      'PUT',
      '/handoff',
      { silenceMinutes: 10 },
      user.id,
    );
    expect(refused.status).toBe(403);
    for (const silenceMinutes of [0, 10081, 1.5, '10']) {
      const bad = await widgetCall(stack, shop.account.id, 'PUT', '/handoff', { silenceMinutes });
      expect(bad.status, String(silenceMinutes)).toBe(400);
    }
    const saved = await widgetCall(stack, shop.account.id, 'PUT', '/handoff', {
      silenceMinutes: 45,
    });
    expect(saved.json).toMatchObject({ silenceMinutes: 45 });
    const lead = await bot.driver.newLead('silence');
    await teamMessage(stack, lead, 'Taking over.');
    const pause = await untilPaused(stack, shop.installationId, lead);
    const state = await widgetCall(stack, shop.account.id, 'GET', `/leads/${lead}/ai-state`);
    const pauseView = state.json.pause as { since: string; resumesAt: string };
    expect(new Date(pauseView.resumesAt).getTime() - new Date(pauseView.since).getTime()).toBe(
      45 * 60_000,
    );
    expect(pause.resumes_at).not.toBeNull();
    await widgetCall(stack, shop.account.id, 'PUT', '/handoff', { silenceMinutes: 30 });
  });
});

describe('uninstalling', () => {
  it('removes the account webhook while the token still works, and ignores a revoked one', async () => {
    const shop = await installAccount(stack);
    await untilSubscription(stack, shop.installationId);
    const url = await eventsUrl(stack, shop.installationId);
    const hooks = () =>
      stack.sandbox
        .call<{ webhooks: { destination: string }[] }>(
          'GET',
          `/_sandbox/accounts/${shop.account.id}/webhooks`,
        )
        .then((r) => r.webhooks.filter((h) => h.destination === url));
    expect(await hooks()).toHaveLength(1);
    const hook = await stack.sandbox.uninstall(shop.account.id, { revoke: false });
    expect(hook.call.status).toBe(200);
    expect(await hooks()).toHaveLength(0);
    await untilSubscription(stack, shop.installationId, 'off');

    // The default uninstall revokes the tokens first: our DELETE gets 401, the hook still 200.
    const revoked = await installAccount(stack);
    await untilSubscription(stack, revoked.installationId);
    const revokedHook = await stack.sandbox.uninstall(revoked.account.id);
    expect(revokedHook.call.status).toBe(200);
    // Its events still arrive: answered 200 and dropped (the account may come back).
    const lead = (await stack.sandbox.createLead(revoked.account.id, { name: 'after' })).id;
    await teamMessage(stack, lead, 'still here');
    await allDelivered(revoked.account.id, lead, 'add_outgoing_message', 1);
    expect(await pauseRow(stack, revoked.installationId, lead)).toBeUndefined();
  });
});
