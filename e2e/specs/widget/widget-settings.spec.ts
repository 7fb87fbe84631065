import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import {
  installAccount,
  openAiAnswering,
  widgetApi,
  type SandboxAccount,
} from '../../support/kommo-account.js';
import { SANDBOX_URL } from '../../support/test-env.js';
import { expectQuietGuest, openWidget, uploadWidget } from '../../support/widget-host.js';

// Issue 7: the widget inside Kommo, run by the sandbox's widget host page against the real API.
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../artifacts/widget',
);

type Webhooks = { webhooks: { kind: string; handlerUrl: string }[] };
type Check = { fields: { key: string; kommoFieldId: number; inKommo: boolean }[] };

let account: SandboxAccount;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  account = await installAccount(request, { prefix: 'widget' });
  await uploadWidget(request);
});

/** Every response body the page received, to search for secrets. */
function recordBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (response) => {
    void response.text().then(
      (text) => bodies.push(text),
      () => undefined, // redirects and aborted loads have no body
    );
  });
  return bodies;
}

test('settings show the fields, both URLs and usage; copy puts a URL on the clipboard', async ({
  page,
  context,
  request,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SANDBOX_URL });
  await openWidget(page, account.subdomain, 'settings');
  const root = page.getByTestId('gptb-root');
  await expect(root.getByTestId('gptb-connection-status')).toHaveText('Connected');

  const fields = await widgetApi<Check>(request, account.id, 'GET', '/fields/check');
  await expect(root.getByTestId('gptb-fields').locator('tbody tr')).toHaveCount(6);
  for (const field of fields.fields) {
    await expect(root.getByTestId(`gptb-field-${field.key}`)).toContainText(
      String(field.kommoFieldId),
    );
  }
  await expect(root.getByTestId('gptb-fields-summary')).toHaveText('All six fields exist.');

  const { webhooks } = await widgetApi<Webhooks>(request, account.id, 'GET', '/webhooks');
  for (const hook of webhooks) {
    await expect(root.locator(`#gptb-webhook-${hook.kind}-url`)).toHaveValue(hook.handlerUrl);
  }
  await expect(root.getByTestId('gptb-usage-count')).toHaveText('0 of 200 requests');

  await root.getByTestId('gptb-webhook-chatgpt').getByRole('button', { name: 'Copy' }).click();
  await expect(root.getByTestId('gptb-webhook-chatgpt').getByRole('status')).toHaveText('Copied');
  type Clipboard = { navigator: { clipboard: { readText(): Promise<string> } } };
  const copied = await page.evaluate(() =>
    (globalThis as unknown as Clipboard).navigator.clipboard.readText(),
  );
  expect(copied).toBe(webhooks.find((hook) => hook.kind === 'chatgpt')?.handlerUrl);

  // The keyboard alone works too: Enter on a focused button.
  const assistant = root.getByTestId('gptb-webhook-assistant');
  await assistant.getByRole('button', { name: 'Copy' }).focus();
  await page.keyboard.press('Enter');
  await expect(assistant.getByRole('status')).toHaveText('Copied');
  expect(
    await page.evaluate(() => (globalThis as unknown as Clipboard).navigator.clipboard.readText()),
  ).toBe(webhooks.find((hook) => hook.kind === 'assistant')?.handlerUrl);
  await expectQuietGuest(page);
});

test('OpenAI settings are saved; after a reload the key shows masked and is never sent back', async ({
  page,
  request,
}) => {
  const key = `sk-test-widget-${Date.now().toString(36)}-9f3a`;
  const bodies = recordBodies(page);
  await openWidget(page, account.subdomain, 'settings');
  const form = page.getByTestId('gptb-providers-form');
  await form.getByLabel('OpenAI API key').fill(key);
  await form.getByLabel('Assistant provider').selectOption('openai');
  await form.getByLabel('Model').fill('gpt-4o-mini');
  await form.getByLabel('Instructions').fill('You are the shop assistant. Answer briefly.');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByTestId('gptb-providers-saved')).toHaveText('Saved.');
  await expect(form.getByTestId('gptb-openai-key-hint')).toHaveText('saved: sk-t…9f3a');

  await page.reload();
  await expect(page.getByTestId('host-status')).toHaveText('ready');
  const reloaded = page.getByTestId('gptb-providers-form');
  await expect(reloaded.getByTestId('gptb-openai-key-hint')).toHaveText('saved: sk-t…9f3a');
  await expect(reloaded.getByLabel('OpenAI API key')).toHaveValue('');
  await expect(reloaded.getByLabel('Model')).toHaveValue('gpt-4o-mini');

  const view = JSON.stringify(await widgetApi(request, account.id, 'GET', '/providers'));
  expect(view).toContain('sk-t…9f3a');
  expect(view).not.toContain(key);
  expect(bodies.length).toBeGreaterThan(5);
  expect(bodies.filter((body) => body.includes(key))).toEqual([]);
  await expectQuietGuest(page);
});

test('the test console answers through the fake provider, and shows the provider error for a bad key', async ({
  page,
  request,
}) => {
  await openAiAnswering(request, account.id, 'Hello from the console test');
  await openWidget(page, account.subdomain, 'settings');
  const root = page.getByTestId('gptb-root');
  await root.getByLabel('Prompt').fill('Do you ship to Lisbon?');
  await root.getByRole('button', { name: 'Send' }).click();
  await expect(root.getByTestId('gptb-console-answer')).toHaveText('Hello from the console test');
  await expect(root.getByTestId('gptb-console-meta')).toContainText(/gpt-4o-mini · \d+ ms/);

  // The same console after the key stopped working at the provider.
  const form = root.getByTestId('gptb-providers-form');
  await form.getByLabel('OpenAI API key').fill('sk-live-not-a-valid-key-1234');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByTestId('gptb-providers-saved')).toBeVisible();
  await root.getByRole('button', { name: 'Send' }).click();
  await expect(root.getByTestId('gptb-console-error')).toContainText('invalid API key');
  await expect(root.getByTestId('gptb-console-meta')).toContainText('auth');
  await expectQuietGuest(page);
});

test('re-provision brings back a field deleted in Kommo', async ({ page, request }) => {
  const before = await widgetApi<Check>(request, account.id, 'GET', '/fields/check');
  const log = before.fields.find((field) => field.key === 'LOG');
  expect(log?.inKommo).toBe(true);
  const deleted = await request.delete(
    `${SANDBOX_URL}/_sandbox/accounts/${account.id}/custom-fields/${log?.kommoFieldId}`,
  );
  expect(deleted.ok()).toBe(true);

  await openWidget(page, account.subdomain, 'settings');
  const root = page.getByTestId('gptb-root');
  await expect(root.getByTestId('gptb-field-LOG')).toContainText('missing in Kommo');
  await expect(root.getByTestId('gptb-fields-summary')).toHaveText(
    '1 missing: press Re-provision to create them again.',
  );
  await root.getByRole('button', { name: 'Re-provision fields' }).click();
  await expect(root.getByTestId('gptb-fields-summary')).toHaveText('All six fields exist.', {
    timeout: 30_000,
  });
  const after = await widgetApi<Check>(request, account.id, 'GET', '/fields/check');
  const recreated = after.fields.find((field) => field.key === 'LOG');
  expect(recreated?.inKommo).toBe(true);
  expect(recreated?.kommoFieldId).not.toBe(log?.kommoFieldId);
  await expect(root.getByTestId('gptb-field-LOG')).toContainText(String(recreated?.kommoFieldId));
  await expect(root.getByTestId('gptb-field-LOG')).toContainText('exists');
  await expectQuietGuest(page);
});

test('a webhook answered today shows in usage; the template is ready to download', async ({
  page,
  request,
}) => {
  const key = `sk-test-usage-${Date.now().toString(36)}-0001`;
  await widgetApi(request, account.id, 'PUT', '/providers', { openaiApiKey: key });
  const lead = await request.post(`${SANDBOX_URL}/_sandbox/accounts/${account.id}/leads`, {
    data: { name: 'Usage lead', fields: { GPT_BRIDGE_PROMPT: 'Classify: hello' } },
  });
  const leadId = ((await lead.json()) as { id: number }).id;
  const { webhooks } = await widgetApi<Webhooks>(request, account.id, 'GET', '/webhooks');
  const chatgpt = webhooks.find((hook) => hook.kind === 'chatgpt')?.handlerUrl ?? '';
  expect((await request.post(chatgpt, { data: { lead_id: leadId } })).status()).toBe(200);
  await expect
    .poll(
      async () => (await widgetApi<{ used: number }>(request, account.id, 'GET', '/usage')).used,
      { timeout: 30_000, message: 'the webhook was answered and counted' },
    )
    .toBe(1);

  await openWidget(page, account.subdomain, 'settings');
  const root = page.getByTestId('gptb-root');
  await expect(root.getByTestId('gptb-usage-count')).toHaveText('1 of 200 requests');
  const today = root
    .getByTestId('gptb-usage-chart')
    .getByRole('img', { name: /: 1 \(1 ChatGPT, 0 Assistant\)$/ });
  await expect(today).toHaveCount(1);

  // The recommended template (documented steps only) needs nothing added by hand.
  await root.getByLabel('Template', { exact: true }).selectOption('widget_block');
  await root.getByRole('button', { name: 'Prepare the template' }).click();
  await expect(root.getByTestId('gptb-template-recommended')).toContainText('Recommended');
  await expect(root.getByTestId('gptb-template-hand-added')).toHaveCount(0);
  // One answer per burst (issue 22.3): the block's template with the 3 s window, one step by hand.
  await root.getByLabel(/One answer per burst/).check();
  await root.getByRole('button', { name: 'Prepare the template' }).click();
  await expect(root.getByTestId('gptb-template-hand-added')).toContainText(
    "wait for the customer's answer at most 3 seconds",
  );

  await root.getByLabel('Template', { exact: true }).selectOption('classic');
  await root.getByRole('button', { name: 'Prepare the template' }).click();
  await expect(root.getByTestId('gptb-template-steps').locator('li').first()).toBeVisible();
  await expect(root.getByTestId('gptb-template-recommended')).toContainText(
    'GPT Bridge block is the recommended one',
  );
  // Issue 18 point 5: the designer steps with no documented JSON, and what goes into each.
  const handAdded = root.getByTestId('gptb-template-hand-added');
  await expect(handAdded).toContainText('Add by hand in the designer');
  await expect(handAdded.locator('li').filter({ hasText: chatgpt })).toContainText(
    '"Send webhook" step to',
  );
  await expect(handAdded).toContainText('"Pause" step of 45 seconds');
  // Issue 22.3: a 3 s window for a burst, and wait loops that listen instead of pausing.
  await expect(handAdded).toContainText("wait for the customer's answer at most 3 seconds");
  await expect(handAdded).toContainText("wait for the customer's answer at most 5 seconds");
  await expect(handAdded).not.toContainText('"Pause" step of 5 seconds');
  const downloading = page.waitForEvent('download');
  await root.getByRole('button', { name: 'Download JSON' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('gpt-bridge-classic-salesbot.json');
  const bot = readFileSync((await download.path()) ?? '', 'utf8');
  expect(JSON.parse(bot)).toBeTruthy();
  expect(bot).toContain(chatgpt);
  await expectQuietGuest(page);
});

const HEADINGS = { en: 'Lead fields', pt: 'Campos do lead', es: 'Campos del lead' } as const;

for (const lang of ['en', 'pt', 'es'] as const) {
  test(`settings in ${lang}: screenshot, a quiet console, one instance when mounted twice`, async ({
    page,
  }, testInfo) => {
    await openWidget(page, account.subdomain, 'settings', lang);
    const root = page.getByTestId('gptb-root');
    await expect(root.getByRole('heading', { name: HEADINGS[lang] })).toBeVisible();
    await expect(root.getByTestId('gptb-usage')).toBeVisible();
    await expect(root.getByTestId('gptb-fields').locator('tbody tr')).toHaveCount(6);

    // Kommo may run the settings callback again for the same modal.
    await page.evaluate(() => {
      const page = globalThis as unknown as {
        __sandboxHost: { widget: { callbacks: { settings(body: unknown): unknown } } };
        jQuery(selector: string): unknown;
      };
      page.__sandboxHost.widget.callbacks.settings(page.jQuery('.modal-body'));
    });
    await expect(page.locator('.gptb-root')).toHaveCount(1);
    await expect(page.locator('style#gptb-widget-css')).toHaveCount(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    // The top of the panel at a normal window size: the widget's tour image for this language
    // (apps/widget/README.md, "Tour images", says how it gets into the widget).
    await page.setViewportSize({ width: 1100, height: 800 });
    const top = await root.boundingBox();
    if (top) {
      await page.screenshot({
        path: path.join(ARTIFACTS, `tour-${lang}.png`),
        clip: {
          x: top.x,
          y: top.y,
          width: Math.min(top.width, 960),
          height: Math.min(top.height, 600),
        },
        style: '.host-log-panel { display: none; }',
      });
    }
    const file = path.join(ARTIFACTS, `settings-${lang}.png`);
    // Tall enough for the whole panel: the settings modal scrolls inside the viewport.
    await page.setViewportSize({ width: 1100, height: 3200 });
    await root.screenshot({ path: file, style: '.host-log-panel { display: none; }' });
    await testInfo.attach(`settings-${lang}`, { path: file, contentType: 'image/png' });
    await expectQuietGuest(page);
  });
}
