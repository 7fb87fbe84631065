import { expect, test } from '@playwright/test';
import { installAccount, type SandboxAccount } from '../../support/kommo-account.js';
import { API_URL, SANDBOX_URL } from '../../support/test-env.js';
import { expectQuietGuest, openWidget, uploadWidget } from '../../support/widget-host.js';

// Issue 18, acceptance 2: Kommo's documented X-Auth-Token has no `is_admin` and the PHP SDK casts
// it loosely (docs/kommo-contract.md §3.2, §3.3). An admin whose token lacks it, or says `1` with
// string ids, still uses the settings panel and saves a designer block that calls our API; a
// non-admin cannot change settings.
type Shape = { is_admin?: string; ids?: string; fractional_times?: boolean };
const SHAPES: { title: string; shape: Shape }[] = [
  { title: 'without is_admin', shape: { is_admin: 'absent' } },
  { title: 'with is_admin: 1 and string ids', shape: { is_admin: 'number', ids: 'string' } },
];

let original: Shape;

test.beforeAll(async ({ request }) => {
  original = (await (
    await request.get(`${SANDBOX_URL}/_sandbox/widget-host/token-shape`)
  ).json()) as Shape;
  await uploadWidget(request);
});

test.afterEach(async ({ request }) => {
  await request.put(`${SANDBOX_URL}/_sandbox/widget-host/token-shape`, { data: original });
});

async function useShape(request: Parameters<typeof uploadWidget>[0], shape: Shape) {
  const set = await request.put(`${SANDBOX_URL}/_sandbox/widget-host/token-shape`, { data: shape });
  expect(set.ok(), await set.text()).toBe(true);
}

for (const { title, shape } of SHAPES) {
  test(`an admin whose token comes ${title} saves settings and a designer block`, async ({
    page,
    request,
  }) => {
    const account: SandboxAccount = await installAccount(request, { prefix: 'rights' });
    await useShape(request, shape);

    await openWidget(page, account.subdomain, 'settings');
    const root = page.getByTestId('gptb-root');
    const form = root.getByTestId('gptb-providers-form');
    await form.getByLabel('OpenAI API key').fill(`sk-test-rights-${Date.now().toString(36)}`);
    await form.getByLabel('Assistant provider').selectOption('openai');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form.getByTestId('gptb-providers-saved')).toHaveText('Saved.');
    await expect(root.getByText('Only an account administrator')).toHaveCount(0);

    await openWidget(page, account.subdomain, 'salesbot_designer');
    const block = page.locator('[data-handler="ask_assistant"]');
    await expect(block.locator('.gptb-block-status')).toHaveText(
      `This block answers through ${new URL(API_URL).host}`,
    );
    await block.getByTestId('designer-save').click();
    await expect(block.getByTestId('designer-result-status')).toHaveText('valid');
    const saved = await request.get(
      `${SANDBOX_URL}/_sandbox/widget-host/salesbot-blocks?account_id=${account.id}`,
    );
    const { blocks } = (await saved.json()) as { blocks: { source: string }[] };
    expect(blocks.some((b) => b.source.includes('/widget-request'))).toBe(true);
    await expectQuietGuest(page);
  });
}

test('a non-admin (no is_admin in the token, the users API says so) cannot change settings', async ({
  page,
  request,
}) => {
  const account = await installAccount(request, { prefix: 'rights-agent' });
  await useShape(request, { is_admin: 'absent' });
  const added = await request.post(`${SANDBOX_URL}/_sandbox/accounts/${account.id}/users`, {
    data: { name: 'Sales agent', is_admin: false },
  });
  const agent = (await added.json()) as { id: number };

  await page.goto(
    `${SANDBOX_URL}/_sandbox/widget-host?account=${account.subdomain}&location=settings&user=${agent.id}`,
  );
  await expect(page.getByTestId('host-status')).toHaveText('ready');
  const root = page.getByTestId('gptb-root');
  await expect(root.getByText('Only an account administrator')).toBeVisible();
  await expect(root.getByTestId('gptb-providers-form')).toHaveCount(0);

  // The API refuses too, whatever the page shows.
  const minted = await request.post(`${SANDBOX_URL}/_sandbox/widget-token`, {
    data: { account_id: account.id, user_id: agent.id },
  });
  const { token } = (await minted.json()) as { token: string };
  const refused = await request.put(`${API_URL}/widget-api/providers`, {
    headers: { 'x-auth-token': token },
    data: { openaiApiKey: 'sk-test-agent-attempt' },
  });
  expect(refused.status()).toBe(403);
});
