import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/sandbox';
import {
  type KommoStack,
  spawnApi,
  startKommoStack,
  stopWorkers,
  waitFor,
} from '../support/kommo-stack';
import { createLeadWith, installAccount, postJson } from '../support/webhook-stack';

type AccessLine = { level: number; req?: { url: string }; res?: { statusCode: number } };

const INFO = 30;

/**
 * The access log as a running API process writes it at LOG_LEVEL=info: the webhooks leave
 * pino-http and write their own line (webhook-access-log.ts), so this is where a lost refusal
 * line or a token in the log would show.
 */
describe('access log of a running API process', () => {
  let stack: KommoStack;
  let api: Awaited<ReturnType<typeof spawnApi>>;
  let apiUrl: string;

  beforeAll(async () => {
    stack = await startKommoStack({ worker: true });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = await spawnApi({
      ...stack.vars,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
  }, 90_000);
  afterAll(async () => {
    await stopWorkers();
    await stack?.stop();
  });

  const accessLines = (): AccessLine[] =>
    api
      .output()
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as AccessLine);

  it('writes refusals and other routes at info, not an acknowledged webhook, and never a token', async () => {
    const shop = await installAccount(stack);
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'hello' });
    const onSpawned = (url: string) => url.replace(stack.apiUrl, apiUrl);
    const token = new URL(shop.chatgptUrl).pathname.split('/')[1]!;
    const unknown = `${'x'.repeat(43)}`;

    expect((await postJson(onSpawned(shop.chatgptUrl), { lead_id: lead })).status).toBe(200);
    expect((await postJson(`${apiUrl}/${unknown}/handler`, { lead_id: lead })).status).toBe(404);
    expect((await postJson(onSpawned(shop.chatgptUrl), 'not an object')).status).toBe(400);
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);

    const lines = await waitFor(
      () => Promise.resolve(accessLines()),
      (found) => found.length >= 3,
    );
    expect(lines.map((l) => `${l.level} ${l.res?.statusCode} ${l.req?.url}`).sort()).toEqual([
      `${INFO} 200 /health`,
      `${INFO} 400 /[token]/handler`,
      `${INFO} 404 /[token]/handler`,
    ]);
    expect(api.output()).not.toContain(token);
    expect(api.output()).not.toContain(unknown);
  }, 60_000);
});
