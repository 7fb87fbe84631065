import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { API_URL, SANDBOX_URL } from './test-env.js';

// Our widget.zip, packed for the API under test, loaded into the sandbox's widget host page the
// way an upload to Kommo would be; the page then runs it like a Kommo account page.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WIDGET_CODE = 'gpt_bridge';

/** Packs apps/widget (already built) with our API's URL and uploads the zip to the sandbox. */
export async function uploadWidget(request: APIRequestContext): Promise<void> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gptb-widget-')), 'widget.zip');
  execFileSync(
    process.execPath,
    ['apps/widget/scripts/pack.mjs', '--api-url', API_URL, '--code', WIDGET_CODE, '--out', out],
    { cwd: ROOT, stdio: 'pipe' },
  );
  const response = await request.post(`${SANDBOX_URL}/_sandbox/widgets?code=${WIDGET_CODE}`, {
    headers: { 'content-type': 'application/zip' },
    data: readFileSync(out),
  });
  expect(response.status(), await response.text()).toBe(201);
}

/** Opens the host page for one account, location and language; waits for the callbacks. */
export async function openWidget(
  page: Page,
  subdomain: string,
  location: 'settings' | 'advanced_settings' | 'salesbot_designer' | 'lcard',
  lang = 'en',
  /** The lead whose card `lcard` opens (docs/kommo-contract.md §9.5); 0 = a card being created. */
  lead?: number,
): Promise<void> {
  const card = lead === undefined ? '' : `&lead=${lead}`;
  await page.goto(
    `${SANDBOX_URL}/_sandbox/widget-host?account=${subdomain}&widget=${WIDGET_CODE}&location=${location}&lang=${lang}${card}`,
  );
  await expect(page.getByTestId('host-status')).toHaveText('ready');
}

/** The host page counts thrown errors, contract breaks and every console call. */
export async function expectQuietGuest(page: Page): Promise<void> {
  await expect(page.getByTestId('error-count')).toHaveText('0');
  await expect(page.getByTestId('warning-count')).toHaveText('0');
  await expect(page.getByTestId('console-count')).toHaveText('0');
}
