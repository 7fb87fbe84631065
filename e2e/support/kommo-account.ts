import { expect, type APIRequestContext } from '@playwright/test';
import { API_URL, CLIENT_ID, CLIENT_SECRET, SANDBOX_URL } from './test-env.js';

// Accounts for browser tests, made the way a Kommo user makes them: the sandbox's install call
// reaches our redirect URI, the worker exchanges the code and creates the lead fields. Only the
// sandbox's control API stands in for the person clicking in Kommo.

export type SandboxAccount = { id: number; subdomain: string };

async function ok<T>(response: Awaited<ReturnType<APIRequestContext['get']>>): Promise<T> {
  const text = await response.text();
  expect(response.ok(), `${response.url()} answered ${response.status()}: ${text}`).toBe(true);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Points the sandbox's integration at the API under test (idempotent). */
export async function configureSandbox(request: APIRequestContext): Promise<void> {
  await ok(
    await request.patch(`${SANDBOX_URL}/_sandbox/integration`, {
      data: {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: `${API_URL}/kommo/oauth/callback`,
        uninstall_hook_url: `${API_URL}/kommo/uninstall`,
      },
    }),
  );
  // A spec before this one may have moved the sandbox's clock; Kommo's clock and ours agree, so
  // widget tokens it mints must not be "issued in the future".
  await ok(await request.post(`${SANDBOX_URL}/_sandbox/clock/reset`));
  // The fake OpenAI compiles its spec on first use and stalls the sandbox meanwhile.
  await ok(await request.post(`${SANDBOX_URL}/_sandbox/ai/spec/warm`));
}

/** A widget X-Auth-Token for the account's current (admin) user, as Kommo would mint it. */
export async function widgetToken(request: APIRequestContext, accountId: number): Promise<string> {
  const { token } = await ok<{ token: string }>(
    await request.post(`${SANDBOX_URL}/_sandbox/widget-token`, { data: { account_id: accountId } }),
  );
  return token;
}

/** Calls our widget API with a fresh X-Auth-Token. */
export async function widgetApi<T>(
  request: APIRequestContext,
  accountId: number,
  method: 'GET' | 'PUT' | 'POST',
  route: string,
  data?: unknown,
): Promise<T> {
  const headers = { 'x-auth-token': await widgetToken(request, accountId) };
  return ok<T>(await request.fetch(`${API_URL}/widget-api${route}`, { method, headers, data }));
}

/**
 * A new sandbox account with GPT Bridge installed and its six fields provisioned. The subdomain
 * gets a suffix so reruns against the same database never collide.
 */
export async function installAccount(
  request: APIRequestContext,
  options: { prefix: string; language?: 'en' | 'pt' | 'es' },
): Promise<SandboxAccount> {
  await configureSandbox(request);
  const subdomain = `${options.prefix}-${Date.now().toString(36)}`;
  const account = await ok<{ id: number }>(
    await request.post(`${SANDBOX_URL}/_sandbox/accounts`, {
      data: { subdomain, language: options.language ?? 'en' },
    }),
  );
  await ok(
    await request.post(`${SANDBOX_URL}/_sandbox/accounts/${account.id}/install`, { data: {} }),
  );
  await expect
    .poll(
      async () => {
        const response = await request.get(`${API_URL}/widget-api/fields`, {
          headers: { 'x-auth-token': await widgetToken(request, account.id) },
        });
        return response.ok() ? ((await response.json()) as { complete: boolean }).complete : false;
      },
      { timeout: 30_000, message: 'the installation got its six lead fields' },
    )
    .toBe(true);
  return { id: account.id, subdomain };
}

/** Scripts the fake AI provider's answers for one API key (see the sandbox's ai README). */
export async function scriptProvider(
  request: APIRequestContext,
  apiKey: string,
  script: Record<string, unknown>,
): Promise<void> {
  await ok(await request.put(`${SANDBOX_URL}/_sandbox/ai/scripts/${apiKey}`, { data: script }));
}

/**
 * Saves a new OpenAI key for the account (the ChatGPT webhook, and the assistant on OpenAI with
 * `gpt-4o-mini`) and scripts the fake OpenAI to answer `answer` after `failures`. Returns the key.
 */
export async function openAiAnswering(
  request: APIRequestContext,
  accountId: number,
  answer: string,
  failures: Record<string, unknown>[] = [],
): Promise<string> {
  const key = `sk-test-${accountId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await widgetApi(request, accountId, 'PUT', '/providers', {
    openaiApiKey: key,
    assistant: {
      provider: 'openai',
      apiKey: null,
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
    },
  });
  await scriptProvider(request, key, { answer: { mode: 'fixed', text: answer }, failures });
  return key;
}
