import { expect, test } from '@playwright/test';
import { installAccount, widgetApi, type SandboxAccount } from '../../support/kommo-account.js';
import { openWidget, uploadWidget } from '../../support/widget-host.js';

// Issue 23, point 4: the estimated cost next to the request counts, and the owner's monthly cost
// cap, set in the widget's usage section.
let account: SandboxAccount;

test.beforeAll(async ({ request }) => {
  account = await installAccount(request, { prefix: 'costcap' });
  await uploadWidget(request);
});

test('an administrator sets and removes the monthly cost cap; a wrong amount is refused', async ({
  page,
  request,
}) => {
  await openWidget(page, account.subdomain, 'settings');
  const cost = page.getByTestId('gptb-root').getByTestId('gptb-usage-cost');
  await expect(cost).toContainText('Estimated AI cost: US$ 0.00');
  await expect(cost).toContainText('No monthly cost cap');

  const form = cost.getByTestId('gptb-cost-cap');
  const input = form.getByLabel('Monthly cost cap (USD)');
  await input.fill('0.001');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    'Enter an amount from 0.01 to 1,000,000 USD, in cents.',
  );

  await input.fill('25');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved.');
  await expect(cost).toContainText('Monthly cost cap: US$ 25.00');
  const saved = await widgetApi<{ costCapUsd: number | null }>(
    request,
    account.id,
    'GET',
    '/usage',
  );
  expect(saved.costCapUsd).toBe(25);

  await input.fill('');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(cost).toContainText('No monthly cost cap');
  expect(
    (await widgetApi<{ costCapUsd: number | null }>(request, account.id, 'GET', '/usage'))
      .costCapUsd,
  ).toBeNull();
});
