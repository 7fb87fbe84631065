import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

// Issue 6, acceptance 6: the README's first command without any configuration is the demo; its
// printed chat page holds a conversation in a real browser, and (issue 20) its printed admin
// sign-in opens the panel on that conversation. `pnpm start` = build + this script; the build is
// done before the e2e run, so the test starts the script itself.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(ROOT, 'e2e/artifacts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Stops `pnpm start` and everything it started (its own process group). */
async function stopTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const group = -child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // already gone
    }
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

test.describe('pnpm start without Kommo settings', () => {
  test('runs the demo: the printed chat page holds a conversation, the printed admin sign-in shows it', async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      // Its own process group, so the API, worker and sandbox stop with it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        SANDBOX_PORT: String(sandboxPort),
        DATABASE_URL:
          process.env.E2E_DEMO_DATABASE_URL ??
          'postgres://postgres@127.0.0.1:5432/gpt_bridge_demo_e2e',
        REDIS_URL: process.env.E2E_DEMO_REDIS_URL ?? 'redis://127.0.0.1:6379/3',
        REDIS_PREFIX: 'e2e-demo',
        // A throwaway key: with one set, start.mjs neither creates nor reads a new .env key.
        ENCRYPTION_KEYS: `demo:${Buffer.alloc(32, 7).toString('base64')}`,
        // Whatever a developer's .env says, this run has no Kommo integration (real env wins).
        KOMMO_CLIENT_ID: '',
        KOMMO_CLIENT_SECRET: '',
        LOG_LEVEL: 'warn',
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    try {
      const chatUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no chat page URL:\n${output}`)), 120_000);
        child.once('exit', (code) => reject(new Error(`start.mjs exited ${code}:\n${output}`)));
        const look = () => {
          const found = /Chat page[^:]*:\s*(http\S+)/.exec(output);
          if (found?.[1]) {
            clearTimeout(timer);
            resolve(found[1]);
          }
        };
        child.stdout?.on('data', look);
      });
      expect(output).toContain('DEMO MODE (no Kommo integration configured)');
      expect(chatUrl).toContain(`http://127.0.0.1:${sandboxPort}/_sandbox/chat?account=`);
      expect(output).toContain(`http://127.0.0.1:${port}`);

      await page.goto(chatUrl);
      await expect(page.getByRole('heading', { name: 'Salesbot chat' })).toBeVisible();
      await expect(page.getByLabel('Account', { exact: true })).toHaveValue('demo-shop');
      const lead = new URL(chatUrl).searchParams.get('lead') ?? '';
      await expect(page.getByLabel('Lead', { exact: true })).toHaveValue(lead);

      const input = page.getByLabel('Message as the customer');
      await input.fill('Hi');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const transcript = page.getByTestId('transcript');
      await expect(transcript.getByTestId('entry-customer').last()).toContainText('Hi');
      // The widget-block template answers each message as soon as the answer exists (it has no
      // window: a timed wait has no documented salesbot JSON): ChatGPT for the intent, then the
      // assistant.
      const answer = transcript.getByTestId('entry-bot');
      await expect(answer).toHaveCount(1, { timeout: 60_000 });
      await expect(answer).toContainText('Demo Shop assistant');
      await expect(page.getByTestId('run-status')).toContainText('waiting answer');
      const question = 'Do you have white sneakers in size 40?';
      await input.fill(question);
      await input.press('Enter');
      await expect(answer).toHaveCount(2, { timeout: 60_000 });
      await expect(answer.last()).toContainText('Thanks for asking!');
      await expect(answer.last()).toContainText(question);
      await expect(page.getByTestId('run-status')).toContainText('waiting answer');

      await mkdir(ARTIFACTS, { recursive: true });
      const screenshot = path.join(ARTIFACTS, 'demo-chat.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      await testInfo.attach('demo-chat', { path: screenshot, contentType: 'image/png' });

      // Issue 20: the banner's admin sign-in opens the panel on the demo account, with the
      // conversation's requests and the usage they counted.
      const adminUrl = /Admin panel:\s*(http\S+)/.exec(output)?.[1];
      const signIn = /sign in as (\S+) with password (\S+)/.exec(output);
      expect(adminUrl).toBe(`http://127.0.0.1:${port}/admin/`);
      const [, email = '', password = ''] = signIn ?? [];
      expect(email).toContain('@');
      await page.goto(adminUrl ?? '');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Sign-in hashes with scrypt (N=2^17): seconds on a busy 2-core machine.
      await expect(page.getByRole('navigation', { name: 'Sections' })).toContainText(email, {
        timeout: 30_000,
      });
      await page.getByRole('link', { name: 'Accounts' }).click();
      await page.getByLabel('Subdomain or account id').fill('demo-shop');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByTestId('accounts').getByRole('link', { name: 'demo-shop' }).click();
      await expect(page.getByRole('heading', { level: 2 })).toContainText('demo-shop');
      const done = page.getByTestId('requests').locator('tr[data-status="done"]');
      // Per message answered: the intent (ChatGPT) and the answer (Assistant).
      await expect(done).toHaveCount(4);
      await expect(page.getByTestId('usage-figures')).toContainText('(2 ChatGPT, 2 Assistant)');
      const adminShot = path.join(ARTIFACTS, 'demo-admin-account.png');
      await page.screenshot({ path: adminShot, fullPage: true });
      await testInfo.attach('demo-admin-account', { path: adminShot, contentType: 'image/png' });
    } finally {
      await stopTree(child);
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(path.join(ARTIFACTS, 'demo-start-output.txt'), output);
      await testInfo.attach('pnpm start output', { body: output, contentType: 'text/plain' });
    }
  });
});
