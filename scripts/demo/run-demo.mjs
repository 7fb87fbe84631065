// `pnpm start` without a Kommo integration: the demo. The Kommo sandbox (a local Kommo with fake
// OpenAI, Dify and Chatbase) runs next to the API and the worker, which are configured for it the
// way the integration tests do it (apps/api/test/support/kommo-stack.ts); a demo account installs
// GPT Bridge through the real OAuth flow and gets both salesbot templates; the chat page URL is
// printed so a person can play the customer.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEMO_SUBDOMAIN, setUpDemo } from './demo-setup.mjs';
import { migrate, waitForHttp } from './processes.mjs';
import { API_NODE_FLAGS } from '../api-node-flags.mjs';

/** `name` with `_demo` (or `-demo`) appended unless it already says demo. */
const demoName = (name, separator) => (/demo/i.test(name) ? name : `${name}${separator}demo`);

/** The demo's own database: a name with "demo" in it, so it is never the real service's. */
function demoDatabaseUrl(configured) {
  const url = new URL(configured);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'gpt_bridge';
  url.pathname = `/${encodeURIComponent(demoName(name, '_'))}`;
  return url.toString();
}

/**
 * widget.zip packed for the demo's API (its URL is written into script.js), so the widget host
 * page shows the demo account's settings; undefined when the widget bundle is not built.
 */
function packDemoWidget(root, apiUrl) {
  if (!existsSync(path.join(root, 'apps/widget/dist/app.js'))) return undefined;
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gptb-demo-widget-')), 'widget.zip');
  execFileSync(
    process.execPath,
    [path.join(root, 'apps/widget/scripts/pack.mjs'), '--api-url', apiUrl, '--out', out],
    { cwd: root, stdio: 'ignore' },
  );
  return out;
}

/**
 * The sandbox forgets everything when it stops, so whatever an earlier demo stored (tokens of a
 * sandbox that is gone, usage counted against the demo's plan) is dropped: the database (its
 * name says demo) and the keys under the demo's Redis prefix.
 */
async function resetDemoStores(root, { databaseUrl, redisUrl, redisPrefix }) {
  const apiRequire = createRequire(path.join(root, 'apps/api/package.json'));
  const pg = apiRequire('pg');
  const IORedis = apiRequire('ioredis');
  const Redis = IORedis.default ?? IORedis;

  const admin = new URL(databaseUrl);
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!/demo/i.test(name)) throw new Error(`refusing to reset database ${name}: not a demo one`);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${admin.host} is not usable (${error instanceof Error ? error.message : String(error)}); see README "What must be running"`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch (error) {
    throw new Error(
      `Redis at ${redisUrl} is not usable (${error instanceof Error ? error.message : String(error)}); see README "What must be running"`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}

/** The demo's admin panel user. */
export const DEMO_ADMIN_EMAIL = 'admin@demo-shop.example';

/**
 * An admin panel user for the demo, made with `pnpm admin:create-user`'s CLI and a password
 * fresh for this start (the demo database is reset each time, so it never outlives the run).
 */
function createDemoAdmin(root, env) {
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'apps/api/dist/cli/create-admin-user.js'),
      '--email',
      DEMO_ADMIN_EMAIL,
      '--role',
      'admin',
    ],
    { cwd: root, env: { ...env, ADMIN_PASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(`creating the demo's admin panel user failed: ${String(result.stderr).trim()}`);
  }
  return { email: DEMO_ADMIN_EMAIL, password };
}

export async function runDemo({ root, supervisor, logLevel }) {
  const port = Number(process.env.PORT || 3000);
  const sandboxPort = Number(process.env.SANDBOX_PORT || 4000);
  const apiUrl = `http://127.0.0.1:${port}`;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const databaseUrl = demoDatabaseUrl(
    process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/gpt_bridge',
  );
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';
  const redisPrefix = demoName(process.env.REDIS_PREFIX || 'gptb', '-');
  console.log(
    'start: DEMO MODE (no Kommo integration configured): starting the Kommo sandbox, the API and the worker…',
  );

  await resetDemoStores(root, { databaseUrl, redisUrl, redisPrefix });
  const base = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  migrate(root, base);
  const adminLogin = createDemoAdmin(root, base);

  // The sandbox prints its own URLs; the banner below says which ones matter here.
  const widgetZip = packDemoWidget(root, apiUrl);
  const sandbox = supervisor.start(
    'sandbox',
    path.join(root, 'packages/kommo-sandbox/dist/cli.js'),
    {
      cwd: root,
      quiet: true,
      env: {
        ...process.env,
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_HOST: '127.0.0.1',
        ...(widgetZip ? { SANDBOX_WIDGET_ZIP: widgetZip } : {}),
      },
    },
  );
  sandbox.stdout.resume();
  if (!(await waitForHttp(supervisor, `${sandboxUrl}/_sandbox/health`))) {
    throw new Error(`the sandbox did not answer on ${sandboxUrl} within 30 s`);
  }

  // A throwaway integration: the sandbox calls our redirect URI and signs with this secret.
  const clientId = randomUUID();
  const clientSecret = `demo-${randomBytes(24).toString('base64url')}`;
  const response = await fetch(`${sandboxUrl}/_sandbox/integration`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: `${apiUrl}/kommo/oauth/callback`,
      uninstall_hook_url: `${apiUrl}/kommo/uninstall`,
      name: 'GPT Bridge (demo)',
    }),
  });
  if (!response.ok) throw new Error(`configuring the sandbox failed: ${response.status}`);

  const env = {
    ...base,
    PORT: String(port),
    PUBLIC_URL: apiUrl,
    LOG_LEVEL: logLevel || 'warn',
    REDIS_PREFIX: redisPrefix,
    KOMMO_CLIENT_ID: clientId,
    KOMMO_CLIENT_SECRET: clientSecret,
    KOMMO_REDIRECT_URI: `${apiUrl}/kommo/oauth/callback`,
    KOMMO_API_URL_TEMPLATE: `${sandboxUrl}/a/{subdomain}`,
    KOMMO_CONSENT_URL: `${sandboxUrl}/oauth`,
    KOMMO_ACCOUNT_LOOKUP_URL: `${sandboxUrl}/central`,
    WIDGET_EXTRA_ORIGINS: sandboxUrl,
    OPENAI_BASE_URL: `${sandboxUrl}/openai/v1`,
    DIFY_BASE_URL: `${sandboxUrl}/dify/v1`,
    CHATBASE_BASE_URL: `${sandboxUrl}/chatbase/api`,
    OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${sandboxPort}`,
  };
  supervisor.start('api', path.join(root, 'apps/api/dist/main.js'), {
    cwd: root,
    env,
    nodeFlags: API_NODE_FLAGS,
  });
  supervisor.start('worker', path.join(root, 'apps/api/dist/worker.js'), { cwd: root, env });
  if (!(await waitForHttp(supervisor, `${apiUrl}/health`))) {
    throw new Error(`the API did not answer on ${apiUrl} within 30 s`);
  }

  const demo = await setUpDemo({ supervisor, apiUrl, sandboxUrl });
  const chatUrl = `${sandboxUrl}/_sandbox/chat?account=${DEMO_SUBDOMAIN}&lead=${demo.lead.id}`;
  const widgetHost = `${sandboxUrl}/_sandbox/widget-host?account=${DEMO_SUBDOMAIN}`;
  const widgetNote = widgetZip ? '' : '  (shows the widget once apps/widget is built)';
  console.log(
    [
      '',
      'DEMO MODE (no Kommo integration configured): GPT Bridge runs against the local Kommo sandbox;',
      'its fake OpenAI answers (nothing reaches Kommo or an AI provider; the demo keys are fake).',
      '',
      `  Chat page (play the customer): ${chatUrl}`,
      `  Widget host:                   ${widgetHost}${widgetNote}`,
      `  GPT Bridge API:                ${apiUrl}  (health ${apiUrl}/health)`,
      `  Admin panel:                   ${apiUrl}/admin/`,
      `    sign in as ${adminLogin.email} with password ${adminLogin.password}`,
      '    (made for this demo run; find the account "demo-shop", its requests and its usage there)',
      `  Kommo sandbox:                 ${sandboxUrl}/_sandbox/  (control API)`,
      '',
      `  Account "${DEMO_SUBDOMAIN}" (#${demo.account.id}) installed GPT Bridge through the OAuth flow. Its salesbot`,
      `  is the widget-block template (bot #${demo.bots.widget_block}); the classic template is bot #${demo.bots.classic}, imported switched off.`,
      '  Try "Hi" and a question, "Can we book a meeting?", or "I want to talk to a person" (the bot',
      '  stops so a person can answer). The bot answers each message as soon as the answer exists.',
      '  "New lead" starts another conversation.',
      '',
      `  Demo data: database ${new URL(databaseUrl).pathname.slice(1)}, Redis prefix ${redisPrefix} (reset on every demo start).`,
      '  For the real service set KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET (README, "Connecting a Kommo',
      '  account"). Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
