import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OnOffRelease } from '../../src/domain/handoff/on-off-release';
import { type TemplateKind } from '../../src/domain/templates/template-installer.service';
import {
  installWithTemplate,
  leadRequests,
  teamMessage,
  travel,
  untilPaused,
  widgetCall,
} from '../support/handoff';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { botMessages, type ChatView, INTENT_SCRIPT } from '../support/salesbot-driver';
import { leadValues, settled } from '../support/webhook-stack';

// Issue 22's acceptance, with both templates: a customer message, then a team member's reply
// while the provider is still answering: the customer gets no AI message; after the silence time
// (our clock moved) the next customer message is answered again, and the provider saw the
// handback marker with what the team member wrote.

const KEY_GPT = 'sk-test-handoff-templates-chatgpt-1';
const KEY_ASSISTANT = 'sk-test-handoff-templates-assistant-1';
const ANSWER = 'Yes, we ship to Lisbon in 2 days.';
const TEAM_TEXT = 'Hi, this is Anna from the shop: I will send you the shipping quote myself.';
const SILENCE_MS = 30 * 60_000;

let stack: KommoStack;

const installWith = (kind: TemplateKind) =>
  installWithTemplate(stack, kind, { chatgpt: KEY_GPT, assistant: KEY_ASSISTANT });

const assistantCalls = () => stack.sandbox.aiCalls({ key: KEY_ASSISTANT, endpoint: 'responses' });

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  await stack.sandbox.aiScript(KEY_GPT, INTENT_SCRIPT);
}, 120_000);

afterEach(() => travel(stack, null));

afterAll(async () => {
  await stack?.stop();
});

describe.each(['widget_block', 'classic'] as const)('the %s template', (kind) => {
  it('stays silent while a person talks, and answers with the handback after the silence', async () => {
    const { shop, driver, stepOf } = await installWith(kind);
    const waiting = (c: ChatView) =>
      c.run?.status === 'waiting_answer' && c.run.position?.step === stepOf('wait');
    // The provider takes long enough for the team member to write meanwhile.
    await stack.sandbox.aiScript(KEY_ASSISTANT, {
      answer: { mode: 'fixed', text: ANSWER },
      latencyMs: 4_000,
      failures: [],
    });
    const lead = await driver.newLead(`handoff-${kind}`);
    await driver.say(lead, 'Do you ship to Lisbon?');
    // Classic: its 20 s window first, which the driver jumps while our backend is idle.
    let inFlight = false;
    const playing = driver.until(lead, () => inFlight, { timeoutMs: 30_000 });
    await waitFor(
      () => leadRequests(stack, shop.installationId, lead),
      (rows) => rows.some((r) => r.kind === 'assistant' && r.status === 'processing'),
      30_000,
    );
    inFlight = true;
    await playing;
    const wrote = await teamMessage(stack, lead, TEAM_TEXT);
    await untilPaused(stack, shop.installationId, lead);
    await settled(stack, shop.installationId);

    const rows = await leadRequests(stack, shop.installationId, lead);
    const superseded = rows.find((r) => r.kind === 'assistant');
    // The answer is kept in the request, marked, and never reached the customer.
    expect(superseded).toMatchObject({
      status: 'refused',
      error_class: 'superseded_by_human',
      answer: ANSWER,
    });
    const silent = await driver.until(
      lead,
      (c) =>
        kind === 'classic'
          ? !['running', 'paused', 'waiting_answer'].includes(c.run?.status ?? '')
          : waiting(c),
      { timeoutMs: 20_000 },
    );
    expect(botMessages(silent)).toEqual([]);
    if (kind === 'classic') {
      const values = await leadValues(stack, shop.account.id, lead);
      expect(values.ON_OFF).toBe('#Human');
      expect(values.LOG).toMatch(/^#Human the AI is paused/);
      expect(values.LOG).not.toContain('ERROR');
    }
    const state = await widgetCall(stack, shop.account.id, 'GET', `/leads/${lead}/ai-state`);
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({
      leadId: lead,
      state: 'paused',
      silenceMinutes: 30,
      pause: { source: 'team_message', userId: wrote.user.id, userName: wrote.user.name },
    });

    // The person has been silent for the account's silence time.
    travel(stack, SILENCE_MS + 60_000);
    if (kind === 'classic') {
      // The worker's release pass (every 30 s) empties ON_OFF; run it now rather than wait.
      await stack.worker!.get(OnOffRelease).releaseDue();
      await waitFor(
        async () => (await leadValues(stack, shop.account.id, lead)).ON_OFF,
        (value) => value === undefined,
      );
    }
    await stack.sandbox.aiScript(KEY_ASSISTANT, {
      answer: { mode: 'fixed', text: ANSWER },
      failures: [],
    });
    const before = (await assistantCalls()).length;
    await driver.say(lead, 'And do you ship to Porto?');
    const answered = await driver.until(lead, (c) => botMessages(c).length > 0 && waiting(c), {
      timeoutMs: 30_000,
    });
    expect(botMessages(answered)).toEqual([ANSWER]);
    const calls = (await assistantCalls()).slice(before);
    expect(calls).toHaveLength(1);
    const sent = JSON.stringify(calls[0]?.body);
    expect(sent).toContain('[Handback]');
    expect(sent).toContain(TEAM_TEXT.slice(0, 40));
    expect(sent).toContain('And do you ship to Porto?');
    // Carried once: the marker is not sent again.
    const pause = await stack.db.query<{ handback: string | null }[]>(
      `SELECT handback FROM lead_pauses WHERE installation_id = $1 AND lead_id = $2`,
      [shop.installationId, lead],
    );
    expect(pause[0]?.handback).toBeNull();
  }, 120_000);
});
