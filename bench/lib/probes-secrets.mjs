// Secrets: provider keys only ever masked in the widget and admin APIs; no secret the run handled
// (client secret, encryption key, provider keys, Kommo's tokens and codes, webhook URL tokens,
// widget and widget_request JWTs, admin passwords and session tokens) in the API or worker logs,
// in any text column of the database, or in Redis.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from './probe-kit.mjs';
import { apiRequire, kommoRequests, OPENAI_KEY } from './stack.mjs';
import { sleep } from './processes.mjs';

const found = (text, secrets) =>
  [...secrets].filter(([value]) => text.includes(value)).map(([, label]) => label);

/** Kommo's access and refresh tokens and the install codes, from the sandbox's state file. */
async function kommoSecrets(fx, stateFile) {
  await sleep(500);
  if (existsSync(stateFile)) {
    const { oauth } = JSON.parse(readFileSync(stateFile, 'utf8'));
    for (const t of oauth.access ?? []) fx.keep('Kommo access token', t.token);
    for (const t of oauth.refresh ?? []) fx.keep('Kommo refresh token', t.token);
    for (const c of oauth.codes ?? []) fx.keep('Kommo authorization code', c.code);
  }
  for (const entry of await kommoRequests(fx.sandbox, { kind: 'install', direction: 'out' })) {
    fx.keep('Kommo authorization code', new URL(entry.url).searchParams.get('code'));
  }
}

export async function secretProbes(run, fx, { stateFile, logDir }) {
  const { accounts } = fx;
  const { a } = accounts;
  run.group('secrets');
  await kommoSecrets(fx, stateFile);
  const providerKeys = new Map([
    [OPENAI_KEY, 'OpenAI key'],
    [fx.assistantKey, 'Dify assistant key'],
  ]);

  await run.probe('widget-api-keys-masked', async () => {
    const routes = [
      '/providers',
      '/session',
      '/fields',
      '/usage',
      '/webhooks',
      '/templates/classic',
      '/templates/widget_block',
    ];
    for (const route of routes) {
      const r = await fx.widget(a, 'GET', route);
      expect(r.status === 200, `${route} answered ${r.status}`);
      const leaked = found(r.text, providerKeys);
      expect(leaked.length === 0, `${route} returns ${leaked.join(', ')}`);
    }
    const saved = await fx.widget(a, 'PUT', '/providers', { openaiApiKey: OPENAI_KEY });
    expect(found(saved.text, providerKeys).length === 0, 'the save answer returns a key');
    const view = (await fx.widget(a, 'GET', '/providers')).json();
    expect(view.openaiApiKey.set && view.assistant.apiKey.set, 'keys not reported as set');
    return `${routes.length} widget routes and the save answer: hints only (${view.openaiApiKey.hint})`;
  });

  await run.probe('admin-api-no-secrets', async () => {
    const s = await fx.signIn(fx.users.admin);
    const requests = (await fx.admin(s, 'GET', '/requests')).json();
    const requestId = (requests.requests ?? requests.items ?? [])[0]?.id;
    const routes = [
      '/me',
      '/accounts',
      `/accounts/${a.installationId}`,
      `/accounts/${a.installationId}/usage`,
      '/requests',
      ...(requestId ? [`/requests/${requestId}`] : []),
      '/audit',
      '/queues',
      '/users',
      '/plans',
    ];
    const secrets = new Map(
      [...fx.secrets].filter(([, label]) => !label.startsWith('admin session')),
    );
    for (const route of routes) {
      const r = await fx.admin(s, 'GET', route);
      expect(r.status === 200, `${route} answered ${r.status}`);
      const leaked = found(r.text, secrets);
      expect(leaked.length === 0, `${route} returns ${[...new Set(leaked)].join(', ')}`);
    }
    return `${routes.length} admin routes, ${secrets.size} secrets looked for: none`;
  });

  await run.probe('logs-no-secrets', async () => {
    const files = ['api-probes-a.log', 'api-probes-b.log', 'worker-probes.log'].map((f) =>
      path.join(logDir, f),
    );
    let bytes = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      bytes += text.length;
      const leaked = found(text, fx.secrets);
      expect(
        leaked.length === 0,
        `${path.basename(file)} holds ${[...new Set(leaked)].join(', ')}`,
      );
    }
    return `${fx.secrets.size} secrets, ${(bytes / 1e6).toFixed(1)} MB of API and worker logs: none`;
  });

  await run.probe('database-no-plaintext-secrets', async () => {
    const hits = [];
    let columns = 0;
    await fx.db(async (db) => {
      const { rows } = await db.query(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public'
            AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character', 'bytea')`,
      );
      for (const { table_name: table, column_name: column } of rows) {
        columns += 1;
        const { rows: values } = await db.query(
          `SELECT "${column}"::text AS v FROM "${table}" WHERE "${column}" IS NOT NULL`,
        );
        for (const { v } of values) {
          const text = v.startsWith('\\x')
            ? `${v} ${Buffer.from(v.slice(2), 'hex').toString('latin1')}`
            : v;
          for (const label of found(text, fx.secrets)) hits.push(`${table}.${column}: ${label}`);
        }
      }
    });
    expect(hits.length === 0, [...new Set(hits)].join('; '));
    return `${columns} text/json/bytea columns, ${fx.secrets.size} secrets: none in plaintext`;
  });

  await run.probe('redis-no-plaintext-secrets', async () => {
    const IORedis = apiRequire('ioredis');
    const redis = new (IORedis.default ?? IORedis)(fx.config.redisUrl, { maxRetriesPerRequest: 1 });
    const hits = [];
    let keys = 0;
    try {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(
          cursor,
          'MATCH',
          `${fx.config.redisPrefix}:*`,
          'COUNT',
          1000,
        );
        cursor = next;
        for (const key of batch) {
          keys += 1;
          const type = await redis.type(key);
          const parts = [key];
          if (type === 'string') parts.push(await redis.get(key));
          else if (type === 'hash') parts.push(...Object.values(await redis.hgetall(key)));
          else if (type === 'list') parts.push(...(await redis.lrange(key, 0, -1)));
          else if (type === 'set') parts.push(...(await redis.smembers(key)));
          else if (type === 'zset') parts.push(...(await redis.zrange(key, 0, -1)));
          for (const label of found(parts.join('\n'), fx.secrets)) hits.push(`${key}: ${label}`);
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    expect(hits.length === 0, [...new Set(hits)].slice(0, 5).join('; '));
    return `${keys} keys, ${fx.secrets.size} secrets: none`;
  });
}
