import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHandlers } from '../../src/domain/templates/bot-json';
import {
  type InstalledTemplate,
  type TemplateKind,
  TemplateInstaller,
} from '../../src/domain/templates/template-installer.service';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import {
  answerDelayMs,
  botMessages,
  type ChatView,
  entriesOf,
  INTENT_SCRIPT,
  SalesbotDriver,
} from '../support/salesbot-driver';
import { type InstalledAccount, installAccount, providerSettings } from '../support/webhook-stack';

const KEY_GPT = 'sk-test-templates-widget-chatgpt-01';
const KEY_ASSISTANT = 'sk-test-templates-widget-assistant-01';
const ANSWER = 'Yes, we ship to Lisbon in 2 days.';
const DESCRIPTION = 'A white sneaker with a red stripe.';

type Installed = {
  shop: InstalledAccount;
  template: InstalledTemplate;
  driver: SalesbotDriver;
  stepOf: (name: string) => number;
};

let stack: KommoStack;
let classic: Installed;
let widget: Installed;

/** An account with GPT Bridge installed, its template built by the installer and uploaded. */
async function installWith(kind: TemplateKind): Promise<Installed> {
  const shop = await installAccount(stack);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: KEY_GPT,
    assistant: {
      provider: 'openai',
      apiKey: KEY_ASSISTANT,
      model: 'gpt-4o-mini',
      instructions: 'You answer for a shoe shop. Be brief.',
    },
  });
  const template = await stack.api.get(TemplateInstaller).build(shop.installationId, kind);
  // Strict mode (the default): the classic template's UI-only steps count as added by hand, as
  // the installer tells the user; the widget-block template needs no exception.
  await stack.sandbox.createBot(
    shop.account.id,
    template.bot,
    `GPT Bridge (${kind})`,
    kind === 'classic' ? template.handAdded.map((entry) => entry.step) : [],
  );
  const stepOf = (name: string) => {
    const entry = template.outline.find((e) => e.name === name);
    if (!entry) throw new Error(`no step ${name}`);
    return entry.step;
  };
  return { shop, template, driver: new SalesbotDriver(stack, shop), stepOf };
}

async function scriptAi() {
  await stack.sandbox.aiScript(KEY_GPT, {
    ...INTENT_SCRIPT,
    answer: {
      mode: 'intent',
      rules: [
        // The image branch's prompt: ChatGPT describes the picture.
        { pattern: '^The customer sent the image below', answer: DESCRIPTION },
        ...(INTENT_SCRIPT.answer?.mode === 'intent' ? INTENT_SCRIPT.answer.rules : []),
      ],
    },
  });
  await stack.sandbox.aiScript(KEY_ASSISTANT, {
    answer: { mode: 'fixed', text: ANSWER },
    failures: [],
  });
}

const ENDPOINT: Record<string, string> = {
  [KEY_GPT]: 'chat.completions',
  [KEY_ASSISTANT]: 'responses',
};
const calls = (key: string) => stack.sandbox.aiCalls({ key, endpoint: ENDPOINT[key] ?? '' });

const backToWaiting = (bot: Installed) => (chat: ChatView) =>
  chat.run?.status === 'waiting_answer' && chat.run.position?.step === bot.stepOf('wait');

/** Scenario 1 on the classic template: three messages within its 3 s window, one answer. */
async function burst(bot: Installed, scenario: string) {
  const gptBefore = (await calls(KEY_GPT)).length;
  const assistantBefore = (await calls(KEY_ASSISTANT)).length;
  const { driver } = bot;
  const lead = await driver.newLead(scenario);
  const window = bot.stepOf('window');
  await driver.say(lead, 'Hi');
  let waiting = await driver.waitingAt(lead, window);
  await driver.advance(1_500);
  await driver.say(lead, 'good morning');
  waiting = await driver.waitingAt(lead, window, waiting);
  await driver.advance(1_500);
  await driver.say(lead, 'Do you ship to Lisbon?');
  await driver.waitingAt(lead, window, waiting);
  const chat = await driver.until(lead, (c) => botMessages(c).length > 0 && backToWaiting(bot)(c));

  const combined = JSON.stringify('Hi\ngood morning\nDo you ship to Lisbon?').slice(1, -1);
  expect(botMessages(chat)).toEqual([ANSWER]);
  const intent = (await calls(KEY_GPT)).slice(gptBefore);
  expect(intent).toHaveLength(1);
  expect(JSON.stringify(intent[0]?.body)).toContain(combined);
  const assistant = (await calls(KEY_ASSISTANT)).slice(assistantBefore);
  expect(assistant).toHaveLength(1);
  expect(JSON.stringify(assistant[0]?.body)).toContain(combined);
  const delay = answerDelayMs(chat);
  await driver.saveArtifact(scenario, lead, { answer_delay_ms: delay });
  return delay;
}

/** Scenario 1 on the widget-block template (no window): one question, one answer; its delay. */
async function single(bot: Installed, scenario: string) {
  const gptBefore = (await calls(KEY_GPT)).length;
  const assistantBefore = (await calls(KEY_ASSISTANT)).length;
  const { driver } = bot;
  const lead = await driver.newLead(scenario);
  await driver.say(lead, 'Do you ship to Lisbon?');
  const chat = await driver.until(lead, (c) => botMessages(c).length > 0 && backToWaiting(bot)(c));
  expect(botMessages(chat)).toEqual([ANSWER]);
  expect((await calls(KEY_GPT)).slice(gptBefore)).toHaveLength(1);
  const assistant = (await calls(KEY_ASSISTANT)).slice(assistantBefore);
  expect(assistant).toHaveLength(1);
  expect(JSON.stringify(assistant[0]?.body)).toContain('Do you ship to Lisbon?');
  const delay = answerDelayMs(chat);
  await driver.saveArtifact(scenario, lead, { answer_delay_ms: delay });
  return delay;
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  classic = await installWith('classic');
  widget = await installWith('widget_block');
});

afterAll(async () => {
  await stack?.stop();
});

describe('the widget-block template in the sandbox salesbot engine', () => {
  it('has no pause step, no timed wait and no polling, only our block', () => {
    const handlers = allHandlers(widget.template.bot).map((h) => h.handler);
    expect(handlers).not.toContain('pause');
    expect(handlers).not.toContain('webhook');
    expect(widget.template.handAdded).toEqual([]);
    expect(JSON.stringify(widget.template.bot)).not.toContain('timeout');
    expect(handlers).toContain('widget_request');
    expect(widget.template.json).toContain(widget.shop.chatgptWidgetUrl);
    expect(widget.template.json).toContain(widget.shop.assistantWidgetUrl);
  });

  it('1: the answer comes sooner than the classic template, which also waits its 3 s window and polls', async () => {
    await scriptAi();
    const classicDelay = await burst(classic, 'classic-1-burst-for-comparison');
    const widgetDelay = await single(widget, 'widget-1-single');
    const sooner = classicDelay - widgetDelay;
    console.log(
      `answer after the last message (sandbox time): classic ${classicDelay / 1000} s, ` +
        `widget-block ${widgetDelay / 1000} s: ${sooner / 1000} s sooner`,
    );
    const dir = path.resolve(__dirname, '../../../../e2e/artifacts/templates');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'timing.json'),
      `${JSON.stringify({ classic_ms: classicDelay, widget_block_ms: widgetDelay, sooner_ms: sooner }, null, 2)}\n`,
    );
    // The classic one waits its 3 s window and polls at least 5 s + 10 s; the widget-block one
    // has no window by default (a timed wait has no documented JSON) and no polling.
    expect(widgetDelay).toBeLessThan(5_000);
    expect(sooner).toBeGreaterThanOrEqual(13_000);
  });

  it('2: "I want to talk to a person" is #Attendant: the bot stops, no Assistant call', async () => {
    await scriptAi();
    const assistantBefore = (await calls(KEY_ASSISTANT)).length;
    const gptBefore = (await calls(KEY_GPT)).length;
    const lead = await widget.driver.newLead('attendant');
    await widget.driver.say(lead, 'I want to talk to a person');
    const chat = await widget.driver.until(lead, (c) => c.run?.status === 'finished');
    expect(chat.run?.end_reason).toBe('stop');
    expect(chat.run?.json).toMatchObject({ intent: '#Attendant', status: 'ok' });
    expect(botMessages(chat)).toEqual([]);
    expect((await calls(KEY_GPT)).slice(gptBefore).map((c) => c.answer)).toEqual(['#Attendant']);
    expect((await calls(KEY_ASSISTANT)).slice(assistantBefore)).toEqual([]);
    expect(entriesOf(chat, 'internal')).toHaveLength(1);
    const fields = Object.fromEntries((chat.lead?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['GPT Bridge | On/Off']).toBe('#Attendant');
    expect(fields['GPT Bridge | Prompt']).toBe('');
    await widget.driver.saveArtifact('widget-2-attendant', lead);
  });

  it('the image branch: ChatGPT describes the picture, the Assistant answers with it', async () => {
    await scriptAi();
    const assistantBefore = (await calls(KEY_ASSISTANT)).length;
    const image = await stack.sandbox.uploadMedia({ fixture: 'image.png' });
    const lead = await widget.driver.newLead('image');
    await widget.driver.say(lead, `Do you have this one in size 40? ${image.url}`);
    const chat = await widget.driver.until(
      lead,
      (c) => botMessages(c).length > 0 && backToWaiting(widget)(c),
    );
    expect(botMessages(chat)).toEqual([ANSWER]);
    const positions = chat.entries
      .filter((e) => e.kind === 'http')
      .map((e) => (e.detail?.data as { prompt?: string } | undefined)?.prompt ?? '');
    expect(positions).toHaveLength(3);
    expect(positions[1]).toMatch(/^The customer sent the image below/);
    const assistant = (await calls(KEY_ASSISTANT)).slice(assistantBefore);
    expect(assistant).toHaveLength(1);
    expect(JSON.stringify(assistant[0]?.body)).toContain(`It shows: ${DESCRIPTION}`);
    await widget.driver.saveArtifact('widget-image-branch', lead);
  });
});
