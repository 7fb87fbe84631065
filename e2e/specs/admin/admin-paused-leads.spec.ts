import { type AdminLeadPause } from '@gpt-bridge/shared';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createAdminUser, type AdminLogin } from '../../support/admin-users.js';
import { installAccount, widgetApi, type SandboxAccount } from '../../support/kommo-account.js';
import { API_URL, SANDBOX_URL } from '../../support/test-env.js';

// Issue 22 point 4: support sees, on the account's page, the leads where the AI is paused now,
// who paused them and when they resume. The pauses are made as the lead card makes them, through
// the widget API with the account's own token.
let shop: SandboxAccount;

async function newLead(request: APIRequestContext, name: string): Promise<number> {
  const lead = await request.post(`${SANDBOX_URL}/_sandbox/accounts/${shop.id}/leads`, {
    data: { name },
  });
  expect(lead.ok(), await lead.text()).toBe(true);
  return ((await lead.json()) as { id: number }).id;
}

let support: AdminLogin;
let forAWhile = 0;
let byHand = 0;
let active = 0;

test.beforeAll(async ({ request }) => {
  // An install, a panel user through the CLI and three leads: more than a test's 30 s on a
  // loaded machine.
  test.setTimeout(90_000);
  support = createAdminUser('support', 'pauses');
  shop = await installAccount(request, { prefix: 'paused-shop' });
  forAWhile = await newLead(request, 'Paused for an hour');
  byHand = await newLead(request, 'Paused until resumed');
  active = await newLead(request, 'Still answered');
  await widgetApi(request, shop.id, 'POST', `/leads/${forAWhile}/pause`, { minutes: 60 });
  await widgetApi(request, shop.id, 'POST', `/leads/${byHand}/pause`, {});
});

test('the account page lists its paused leads: by whom, since, when they resume', async ({
  page,
  request,
}, testInfo) => {
  // The same list through the admin API, signed in as the panel is.
  expect((await request.post(`${API_URL}/admin/api/login`, { data: support })).status()).toBe(200);
  const account = (await (
    await request.get(`${API_URL}/admin/api/accounts?q=${shop.subdomain}`)
  ).json()) as { accounts?: { id: string; subdomain: string }[] };
  const id = account.accounts?.find((a) => a.subdomain === shop.subdomain)?.id;
  expect(id).toBeTruthy();
  const listed = (await (
    await request.get(`${API_URL}/admin/api/accounts/${id}/pauses`)
  ).json()) as AdminLeadPause[];
  expect(listed.map((pause) => pause.leadId).sort((a, b) => a - b)).toEqual(
    [forAWhile, byHand].sort((a, b) => a - b),
  );
  expect(listed.find((pause) => pause.leadId === byHand)?.resumesAt).toBeNull();

  await page.goto('/admin/');
  await page.getByLabel('Email').fill(support.email);
  await page.getByLabel('Password').fill(support.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.getByLabel('Subdomain or account id').fill(shop.subdomain);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('accounts').getByRole('link', { name: shop.subdomain }).click();
  await expect(page.getByRole('heading', { level: 2 })).toContainText(shop.subdomain);

  const rows = page.getByTestId('pauses').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  // The one that resumes by itself first, the by-hand one last.
  await expect(rows.nth(0)).toHaveAttribute('data-lead', String(forAWhile));
  await expect(rows.nth(0)).toContainText('pressed Pause in the lead card');
  await expect(rows.nth(0).locator('td').nth(3)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  await expect(rows.nth(1)).toHaveAttribute('data-lead', String(byHand));
  await expect(rows.nth(1)).toContainText('only when resumed by hand');
  await expect(page.getByTestId('pauses').locator(`tr[data-lead="${active}"]`)).toHaveCount(0);
  const shot = testInfo.outputPath('admin-paused-leads.png');
  await page.getByRole('group', { name: 'Paused leads' }).screenshot({ path: shot });
  await testInfo.attach('admin-paused-leads', { path: shot, contentType: 'image/png' });

  // Resumed in the card: gone from the list at the next refresh.
  await widgetApi(request, shop.id, 'POST', `/leads/${forAWhile}/resume`);
  await widgetApi(request, shop.id, 'POST', `/leads/${byHand}/resume`);
  await page.getByRole('button', { name: 'Refresh paused leads' }).click();
  await expect(page.getByTestId('pauses-none')).toBeVisible();
});
