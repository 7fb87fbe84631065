import { type APIRequestContext, expect, test } from '@playwright/test';
import { SANDBOX_URL } from '../../support/test-env.js';

/** A JSON call to the sandbox's control API that must succeed. */
async function control<T>(
  request: APIRequestContext,
  method: 'POST' | 'PATCH',
  path: string,
  data: unknown,
): Promise<T> {
  const response = await request.fetch(`${SANDBOX_URL}/_sandbox${path}`, { method, data });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
const goto = (step: number) => ({ handler: 'goto', params: { type: 'question', step } });

test.describe('sandbox chat page', () => {
  test('plays a conversation with a salesbot: pause, field, condition, messages', async ({
    page,
    request,
  }, testInfo) => {
    const subdomain = `chat-${Date.now()}`;
    const account = await control<{ id: number }>(request, 'POST', '/accounts', {
      subdomain,
      name: 'Chat e2e',
    });
    const field = await control<{ id: number }>(
      request,
      'POST',
      `/accounts/${account.id}/custom-fields`,
      {
        name: 'Customer name',
        type: 'text',
      },
    );
    await control(request, 'POST', '/salesbot/bots', {
      account: subdomain,
      name: 'Greeter',
      active: true,
      // Strict mode (the default): step 1's Pause is a designer step added by hand.
      hand_added: [1],
      script: [
        {
          question: [
            show('Hi! What is your name?'),
            { handler: 'wait_answer', params: { type: 'question', step: 1 } },
          ],
        },
        {
          question: [
            {
              handler: 'action',
              params: {
                name: 'set_custom_fields',
                params: { type: 2, custom_fields_id: field.id, value: '{{message_text}}' },
              },
            },
            { handler: 'pause', params: { seconds: 45 } },
            {
              handler: 'conditions',
              params: {
                logic: 'and',
                conditions: [
                  { term1: `{{lead.cf.${field.id}}}`, term2: 'ana', operation: 'contains' },
                ],
                result: [goto(2)],
              },
            },
            show('Nice to meet you, {{message_text}}.'),
          ],
        },
        {
          question: [
            show('Welcome back, {{lead.cf.' + field.id + '}}!'),
            {
              handler: 'action',
              params: { name: 'set_tag', params: { type: 2, value: 'returning' } },
            },
            {
              handler: 'action',
              params: {
                name: 'add_note',
                params: {
                  element_type: 2,
                  note_type: 4,
                  text: 'Greeted {{lead.cf.' + field.id + '}}',
                },
              },
            },
            {
              handler: 'send_internal',
              params: { entity_id: '{{lead.id}}', entity_type: 2, message: 'Ana is back' },
            },
          ],
        },
      ],
    });

    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${SANDBOX_URL}/_sandbox/chat?account=${subdomain}`);
    await expect(page.getByRole('heading', { name: 'Salesbot chat' })).toBeVisible();
    await expect(page.getByLabel('Account', { exact: true })).toHaveValue(subdomain);
    await page.getByRole('button', { name: 'New lead' }).click();
    await expect(page.getByLabel('Lead', { exact: true })).not.toHaveValue('');

    const input = page.getByLabel('Message as the customer');
    await input.fill('hello');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const transcript = page.getByTestId('transcript');
    await expect(transcript.getByTestId('entry-bot').last()).toContainText(
      'Hi! What is your name?',
    );
    await expect(page.getByTestId('run-status')).toContainText('waiting answer');

    await input.fill('Ana');
    await input.press('Enter');
    await expect(page.getByTestId('run-status')).toContainText('paused');
    const row = page.getByTestId('field-row').filter({ hasText: 'Customer name' });
    await expect(row.getByTestId('field-value')).toHaveText('Ana');

    // 45 s of bot pause, without waiting 45 s.
    await control(request, 'POST', '/clock/advance', { seconds: 45 });
    await expect(transcript.getByTestId('entry-bot').last()).toContainText('Welcome back, Ana!');
    await expect(transcript.getByTestId('entry-internal')).toContainText('Ana is back');
    await expect(page.getByTestId('lead-tags').getByTestId('tag')).toHaveText(['returning']);
    await expect(page.getByTestId('lead-notes').getByTestId('note')).toHaveText(['Greeted Ana']);
    await expect(page.getByTestId('run-status')).toContainText('finished');
    await expect(transcript.getByTestId('entry-customer')).toHaveText([/hello/, /Ana/]);
    // The sandbox is shared by the specs that follow: its clock agrees with ours again.
    await control(request, 'POST', '/clock/reset', {});

    const screenshot = testInfo.outputPath('sandbox-chat.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    await testInfo.attach('sandbox-chat', { path: screenshot, contentType: 'image/png' });
    expect(consoleErrors).toEqual([]);
  });
});
