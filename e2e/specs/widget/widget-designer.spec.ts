import { expect, test } from '@playwright/test';
import { installAccount, openAiAnswering } from '../../support/kommo-account.js';
import { API_URL, SANDBOX_URL } from '../../support/test-env.js';
import { expectQuietGuest, openWidget, uploadWidget } from '../../support/widget-host.js';

// Issue 7, acceptance 6: our block, saved in the sandbox's salesbot designer, is a bot that runs:
// a customer's message goes to GPT Bridge, the assistant answers, and the block's branch on
// {{json.status}} leaves by "success" with the answer in {{json.reply}}.
type Block = { handler_code: string; source: string };
type Run = { status: string; end_reason: string | null; json: Record<string, unknown> };

test('the designer block saved in the sandbox produces a bot that runs', async ({
  page,
  request,
}) => {
  const account = await installAccount(request, { prefix: 'designer' });
  await uploadWidget(request);
  await openAiAnswering(request, account.id, 'We open at nine.');

  await openWidget(page, account.subdomain, 'salesbot_designer');
  const block = page.locator('[data-handler="ask_assistant"]');
  await expect(block.getByTestId('designer-exits').locator('li')).toHaveText([
    'success: Answered',
    'fail: Failed',
    'human: A person is talking',
  ]);
  await expect(block.locator('.gptb-block-status')).toHaveText(
    `This block answers through ${new URL(API_URL).host}`,
  );
  // Kommo calls salesbotDesignerSettings each time the pane opens: still one status row.
  await block.getByTestId('designer-open').click();
  await block.getByTestId('designer-open').click();
  await expect(block.locator('[data-gptb-row]')).toHaveCount(1);
  await expect(block.locator('.gptb-block-status')).toHaveText(
    `This block answers through ${new URL(API_URL).host}`,
  );
  await block.getByTestId('designer-field-prompt').fill('Customer asks: {{message_text}}');
  await block.getByTestId('designer-save').click();
  await expect(block.getByTestId('designer-result-status')).toHaveText('valid');
  await expectQuietGuest(page);

  const saved = await request.get(
    `${SANDBOX_URL}/_sandbox/widget-host/salesbot-blocks?account_id=${account.id}`,
  );
  const blocks = ((await saved.json()) as { blocks: Block[] }).blocks;
  const source = blocks.find((entry) => entry.handler_code === 'ask_assistant')?.source ?? '';
  expect(source).toContain('/widget-request');

  const bot = await request.post(`${SANDBOX_URL}/_sandbox/salesbot/bots`, {
    data: {
      account: account.id,
      name: 'GPT Bridge block',
      active: true,
      script: JSON.parse(source) as unknown,
    },
  });
  expect(bot.status(), await bot.text()).toBe(201);
  const message = await request.post(`${SANDBOX_URL}/_sandbox/salesbot/messages`, {
    data: { account: account.id, create_lead: true, text: 'When do you open?' },
  });
  expect(message.ok(), await message.text()).toBe(true);
  const leadId = ((await message.json()) as { lead_id: number }).lead_id;

  let run: Run | undefined;
  await expect
    .poll(
      async () => {
        const chat = await request.get(
          `${SANDBOX_URL}/_sandbox/salesbot/leads/${leadId}?account=${account.id}`,
        );
        run = ((await chat.json()) as { run: Run | null }).run ?? undefined;
        return run?.status;
      },
      { timeout: 30_000, message: 'the bot run ended' },
    )
    .toBe('finished');
  expect(run?.end_reason).toBe('exit success');
  expect(run?.json).toMatchObject({ reply: 'We open at nine.', status: 'ok' });
});
