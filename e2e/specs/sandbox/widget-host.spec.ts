import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SANDBOX_URL } from '../../support/test-env.js';

// The sandbox's widget host running the hand-written fixture widget in real Chromium.
const FIXTURE_DIR = fileURLToPath(
  new URL('../../../packages/kommo-sandbox/test/fixtures/widget/', import.meta.url),
);
// A fresh account per worker start: Playwright reruns beforeAll after a failure.
let subdomain = '';

// Breaks four rules: render returns false, init throws, renderRow gets two arguments, the
// designer save returns an object.
const BROKEN_SCRIPT = `define(['jquery'], function () {
  return function () {
    this.callbacks = {
      render: function () { console.log('rendering'); return false; },
      init: function () { throw new Error('init broke'); },
      bind_actions: function () { return true; },
      salesbotDesignerSettings: function ($body, renderRow) {
        $body.append(renderRow('Status', '<span>old two-argument call</span>'));
      },
      onSalesbotDesignerSave: function () { return [{ question: [] }]; },
    };
    return this;
  };
});
`;

type HostWindow = {
  __sandboxHost: {
    widget: { $authorizedAjax(options: Record<string, unknown>): PromiseLike<unknown> };
    log: { kind: string; level: string; text: string }[];
  };
};

async function loadWidget(request: APIRequestContext, body: Record<string, string>): Promise<void> {
  const response = await request.post(`${SANDBOX_URL}/_sandbox/widgets`, { data: body });
  expect(response.status(), await response.text()).toBe(201);
}

async function openHost(page: Page, code: string, location: string): Promise<void> {
  await page.goto(
    `${SANDBOX_URL}/_sandbox/widget-host?account=${subdomain}&widget=${code}&location=${location}`,
  );
  await expect(page.getByTestId('host-status')).toHaveText('ready');
}

async function expectSilence(page: Page): Promise<void> {
  await expect(page.getByTestId('error-count')).toHaveText('0');
  await expect(page.getByTestId('warning-count')).toHaveText('0');
  await expect(page.getByTestId('console-count')).toHaveText('0');
}

test.describe('sandbox widget host', () => {
  let accountId = 0;

  test.beforeAll(async ({ request }) => {
    subdomain = `widget-host-${Date.now().toString(36)}`;
    const created = await request.post(`${SANDBOX_URL}/_sandbox/accounts`, {
      data: { subdomain, language: 'en' },
    });
    expect(created.status()).toBe(201);
    accountId = ((await created.json()) as { id: number }).id;
    await loadWidget(request, { dir: FIXTURE_DIR, code: 'fixture' });
  });

  test('settings: callbacks run in Kommo order, Save stores values, Disable destroys', async ({
    page,
    request,
  }) => {
    await openHost(page, 'fixture', 'settings');
    await expect(page.getByTestId('callback-order')).toHaveText(
      'render,init,bind_actions,settings',
    );
    await expect(page.getByTestId('fixture-settings')).toHaveText(
      `Hello from the fixture ${subdomain}`,
    );
    await expect(page.getByTestId('settings-fields')).toContainText('API key *');

    // Required field empty: Kommo does not call onSave.
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-result')).toHaveText('required: api_key');

    await page.getByTestId('settings-field-api_key').fill('key-123');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-result')).toHaveText('saved');
    await expect(page.getByTestId('widget-status')).toHaveText('installed');
    const stored = await request.get(
      `${SANDBOX_URL}/_sandbox/widget-host/settings?account_id=${accountId}&widget_code=fixture`,
    );
    expect(await stored.json()).toMatchObject({ values: { api_key: 'key-123' }, active: true });

    await page.getByTestId('settings-disable').click();
    await expect(page.getByTestId('widget-status')).toHaveText('disabled');
    await expect(page.getByTestId('callback-order')).toHaveText(
      'render,init,bind_actions,settings,onSave,onSave,destroy',
    );
    await expect(page.getByTestId('fixture-settings')).toHaveCount(0);
    await expectSilence(page);
  });

  test('$authorizedAjax sends an X-Auth-Token the sandbox can verify', async ({ page }) => {
    await openHost(page, 'fixture', 'settings');
    const echo = await page.evaluate(() =>
      (globalThis as unknown as HostWindow).__sandboxHost.widget.$authorizedAjax({
        url: '/_sandbox/widget-host/echo',
        type: 'POST',
        contentType: 'application/json',
        data: JSON.stringify({ ping: 1 }),
      }),
    );
    expect(echo).toMatchObject({
      method: 'POST',
      body: { ping: 1 },
      token: { valid: true, claims: { account_id: accountId, subdomain, is_admin: true } },
    });
    await expectSilence(page);
  });

  test('advanced settings: the widget renders into its work area', async ({ page }) => {
    await openHost(page, 'fixture', 'advanced_settings');
    await expect(page.getByTestId('callback-order')).toHaveText(
      'render,init,bind_actions,advancedSettings',
    );
    await expect(page.getByTestId('advanced-title')).toHaveText('GPT Bridge');
    await expect(page.locator('#work-area-fixture [data-testid="fixture-advanced"]')).toHaveText(
      'Advanced settings of the fixture',
    );
    await expectSilence(page);
  });

  test('salesbot designer: Save returns bot JSON that parses', async ({ page, request }) => {
    await openHost(page, 'fixture', 'salesbot_designer');
    const block = page.locator('[data-handler="ask_ai"]');
    await expect(block.getByTestId('designer-exits').locator('li')).toHaveText([
      'success: Answered',
      'fail: Failed',
    ]);
    await block.getByTestId('designer-field-prompt').fill('Summarise the lead');
    // Reopening the pane calls salesbotDesignerSettings again on the same body.
    await block.getByTestId('designer-open').click();
    await block.getByTestId('designer-open').click();
    await expect(block.getByTestId('fixture-designer-note')).toHaveText('Summarise the lead');
    await expect(block.getByTestId('designer-exits').locator('li')).toHaveCount(2);
    await block.getByTestId('designer-save').click();
    await expect(block.getByTestId('designer-result-status')).toHaveText('valid');
    const steps = JSON.parse((await block.getByTestId('designer-result').textContent()) ?? '') as {
      question: unknown[];
    }[];
    expect(steps[0]?.question[0]).toMatchObject({
      handler: 'widget_request',
      params: { data: { handler: 'ask_ai', prompt: 'Summarise the lead' } },
    });
    const saved = await request.get(
      `${SANDBOX_URL}/_sandbox/widget-host/salesbot-blocks?account_id=${accountId}`,
    );
    expect(((await saved.json()) as { blocks: unknown[] }).blocks).toHaveLength(1);
    await expectSilence(page);
  });

  test('a misbehaving widget is reported in the log panel', async ({ page, request }) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'widget-host-e2e-')), 'widget');
    cpSync(FIXTURE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'script.js'), BROKEN_SCRIPT);
    await loadWidget(request, { dir, code: 'broken' });

    await openHost(page, 'broken', 'salesbot_designer');
    const log = page.getByTestId('host-log');
    await expect(log).toContainText('[console] log: rendering');
    await expect(log).toContainText('callbacks.render returned false; Kommo expects true');
    await expect(log).toContainText('callbacks.init threw Error: init broke');
    await expect(log).toContainText('renderRow(caption) takes one argument, got 2');
    await expect(page.getByTestId('warning-count')).toHaveText('1');
    await page.locator('[data-handler="ask_ai"]').getByTestId('designer-save').click();
    await expect(page.getByTestId('designer-result-status')).toContainText(
      'must return a JSON string',
    );
    await expect(page.getByTestId('error-count')).toHaveText('3');
    await expect(page.getByTestId('console-count')).toHaveText('1');
  });
});
