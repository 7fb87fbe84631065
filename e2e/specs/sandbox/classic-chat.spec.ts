import { expect, test } from '@playwright/test';
import {
  installAccount,
  scriptProvider,
  widgetApi,
  type SandboxAccount,
} from '../../support/kommo-account.js';
import { SANDBOX_URL } from '../../support/test-env.js';

// Issue 18, acceptance 1: Kommo's "Send webhook" step posts the same bytes for every call on one
// lead in one stage (docs/kommo-contract.md §1), the sandbox's default. Two customer messages a
// minute apart, on the chat page, through the classic template, must both be answered.
const ANSWER = 'Yes, we ship there in two days.';

test('classic template: two messages a minute apart on one lead both get an answer', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(180_000);
  const account: SandboxAccount = await installAccount(request, { prefix: 'classic-chat' });
  const suffix = `${account.id}-${Date.now().toString(36)}`;
  const gptKey = `sk-test-classic-gpt-${suffix}`;
  const assistantKey = `sk-test-classic-assistant-${suffix}`;
  await widgetApi(request, account.id, 'PUT', '/providers', {
    openaiApiKey: gptKey,
    assistant: { provider: 'openai', apiKey: assistantKey, instructions: 'Be brief.' },
  });
  await scriptProvider(request, gptKey, { answer: { mode: 'fixed', text: '#General' } });
  await scriptProvider(request, assistantKey, { answer: { mode: 'fixed', text: ANSWER } });
  const template = await widgetApi<{ bot: unknown; handAdded: { step: number }[] }>(
    request,
    account.id,
    'GET',
    '/templates/classic',
  );
  // Strict mode (the sandbox default): the UI-only steps the installer lists to add by hand.
  const bot = await request.post(`${SANDBOX_URL}/_sandbox/salesbot/bots`, {
    data: {
      account: account.id,
      name: 'GPT Bridge (classic)',
      active: true,
      script: template.bot,
      hand_added: template.handAdded.map((entry) => entry.step),
    },
  });
  expect(bot.status(), await bot.text()).toBe(201);
  const settings = await request.get(`${SANDBOX_URL}/_sandbox/salesbot/settings`);
  expect(((await settings.json()) as { webhook_body: string }).webhook_body).toBe('observed');

  await page.goto(`${SANDBOX_URL}/_sandbox/chat?account=${account.subdomain}`);
  // (The clock moves below; it is reset at the end.)
  await page.getByRole('button', { name: 'New lead' }).click();
  await expect(page.getByLabel('Lead', { exact: true })).not.toHaveValue('');
  const input = page.getByLabel('Message as the customer');
  const answers = page.getByTestId('transcript').getByTestId('entry-bot');

  // The template collects further messages for 3 s: skip the wait on Kommo's clock.
  const advance = async (seconds: number) => {
    const moved = await request.post(`${SANDBOX_URL}/_sandbox/clock/advance`, {
      data: { seconds },
    });
    expect(moved.ok()).toBe(true);
  };
  await input.fill('Do you ship to Lisbon?');
  await input.press('Enter');
  await expect(page.getByTestId('transcript').getByTestId('entry-customer')).toHaveCount(1);
  await advance(4);
  await expect(answers).toHaveText([new RegExp(ANSWER)], { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toContainText('waiting answer');

  try {
    // A minute later on Kommo's clock, the same lead, the same stage: the same webhook bytes.
    await advance(60);
    await input.fill('And to Porto?');
    await input.press('Enter');
    await expect(page.getByTestId('transcript').getByTestId('entry-customer')).toHaveCount(2);
    await advance(4);
    await expect(answers).toHaveText([new RegExp(ANSWER), new RegExp(ANSWER)], {
      timeout: 60_000,
    });
  } finally {
    // The sandbox is shared by the specs that follow: its clock agrees with ours again.
    await request.post(`${SANDBOX_URL}/_sandbox/clock/reset`);
  }
  const screenshot = testInfo.outputPath('classic-two-messages.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('classic-two-messages', { path: screenshot, contentType: 'image/png' });
});
