import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LeadAiState, type LeadTraceResponse } from '@gpt-bridge/shared';
import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  installAccount,
  openAiAnswering,
  widgetApi,
  type SandboxAccount,
} from '../../support/kommo-account.js';
import { CLIENT_SECRET, SANDBOX_URL } from '../../support/test-env.js';
import { expectQuietGuest, openWidget, uploadWidget } from '../../support/widget-host.js';

// Issue 22 point 4 and issue 23 point 3: the widget's block in a lead card (location `lcard`,
// docs/kommo-contract.md §9.5), run by the sandbox's widget host page against the real API. The
// lead's two requests are real: the ChatGPT webhook, once refused by the provider (a revoked
// key), then answered.
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../artifacts/widget',
);
/** About the width of the widgets' column in a Kommo lead card. */
const CARD_PANEL_WIDTH = 340;
const ANSWER = 'Intent: #Shipping. We ship to Lisbon in two days.';

type Webhooks = { webhooks: { kind: string; handlerUrl: string }[] };

let account: SandboxAccount;
let leadId = 0;
let chatgptUrl = '';

test.describe.configure({ mode: 'serial' });

async function newLead(request: APIRequestContext, name: string, prompt: string) {
  const lead = await request.post(`${SANDBOX_URL}/_sandbox/accounts/${account.id}/leads`, {
    data: { name, fields: { GPT_BRIDGE_PROMPT: prompt } },
  });
  expect(lead.ok(), await lead.text()).toBe(true);
  return ((await lead.json()) as { id: number }).id;
}

/** Sends the lead's ChatGPT webhook as the salesbot does, and waits until the trace has `count`. */
async function webhookUntil(request: APIRequestContext, lead: number, count: number) {
  expect((await request.post(chatgptUrl, { data: { lead_id: lead } })).status()).toBe(200);
  await expect
    .poll(
      async () => {
        const trace = await widgetApi<LeadTraceResponse>(
          request,
          account.id,
          'GET',
          `/leads/${lead}/requests`,
        );
        const settled = trace.requests.filter(
          (item) => item.status !== 'queued' && item.status !== 'processing',
        );
        return settled.length;
      },
      { timeout: 30_000, message: `lead ${lead} has ${count} finished requests` },
    )
    .toBe(count);
}

test.beforeAll(async ({ request }) => {
  account = await installAccount(request, { prefix: 'lcard' });
  await uploadWidget(request);
  const { webhooks } = await widgetApi<Webhooks>(request, account.id, 'GET', '/webhooks');
  chatgptUrl = webhooks.find((hook) => hook.kind === 'chatgpt')?.handlerUrl ?? '';
  // The provider refuses the key once (as after a revocation), then answers.
  await openAiAnswering(request, account.id, ANSWER, [{ kind: 'invalid_api_key' }]);
  leadId = await newLead(request, 'Ana from Lisbon', 'Classify: do you ship to Lisbon?');
  await webhookUntil(request, leadId, 1);
  await webhookUntil(request, leadId, 2);
});

const TEXTS = {
  en: {
    active: 'AI is answering this lead',
    paused: 'AI is paused for this lead',
    pause: 'Pause AI',
    resume: 'Resume AI now',
    byHand: 'Until someone resumes it by hand',
    you: 'You paused it here',
    trace: 'AI requests of this lead',
    providerError: 'The AI provider answered with an error',
    delivered: 'delivered',
    cost: /≈ \$0\.\d+/,
  },
  pt: {
    active: 'A IA está respondendo este lead',
    paused: 'A IA está pausada neste lead',
    pause: 'Pausar a IA',
    resume: 'Retomar a IA agora',
    byHand: 'Até alguém retomar manualmente',
    you: 'Você pausou aqui',
    trace: 'Solicitações de IA deste lead',
    providerError: 'O provedor de IA respondeu com um erro',
    delivered: 'entregue',
    cost: /≈ US\$\s0,\d+/,
  },
  es: {
    active: 'La IA está respondiendo a este lead',
    paused: 'La IA está en pausa para este lead',
    pause: 'Pausar la IA',
    resume: 'Reanudar la IA ahora',
    byHand: 'Hasta que alguien la reanude a mano',
    you: 'La pausaste aquí',
    trace: 'Solicitudes de IA de este lead',
    providerError: 'El proveedor de IA respondió con un error',
    delivered: 'entregada',
    cost: /≈ 0,\d+\sUS\$/,
  },
} as const;

for (const lang of ['en', 'pt', 'es'] as const) {
  test(`lead card in ${lang}: state, pause and resume, the trace with cost and the silent reason; screenshots`, async ({
    page,
    request,
  }, testInfo) => {
    const text = TEXTS[lang];
    await openWidget(page, account.subdomain, 'lcard', lang, leadId);
    const panel = page.getByTestId('widgets-area').getByTestId('gptb-lcard');
    await expect(panel).toHaveAttribute('data-lead', String(leadId));
    await expect(panel.getByTestId('gptb-lcard-state')).toHaveText(text.active);
    await expect(panel.getByRole('heading', { name: text.trace })).toBeVisible();

    // Newest first: the answered request, then the one the provider refused.
    const items = panel.getByTestId('gptb-trace-item');
    await expect(items).toHaveCount(2);
    const answered = items.nth(0);
    await expect(answered.getByTestId('gptb-trace-status')).toHaveText(text.delivered);
    await expect(answered.getByTestId('gptb-trace-answer')).toContainText(ANSWER);
    await expect(answered.getByTestId('gptb-trace-meta')).toContainText(/^OpenAI · gpt-\S+ · /);
    await expect(answered.getByTestId('gptb-trace-meta')).toContainText(/\d+ ms|\d s/);
    await expect(answered.getByTestId('gptb-trace-cost')).toHaveText(text.cost);
    await answered.getByTestId('gptb-trace-prompt').locator('summary').click();
    await expect(answered.getByTestId('gptb-trace-prompt')).toContainText(
      'Classify: do you ship to Lisbon?',
    );
    const refused = items.nth(1);
    await expect(refused).toHaveAttribute('data-status', 'failed');
    await expect(refused.getByTestId('gptb-trace-silent')).toContainText(text.providerError);
    await expect(refused.getByTestId('gptb-trace-error')).toContainText('auth');
    await expect(refused.getByTestId('gptb-trace-answer')).toHaveCount(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    // Kommo's right panel is narrow: the block at that width, as a person sees it in the card.
    await page.setViewportSize({ width: 1100, height: 1600 });
    const block = page.getByTestId('widget-template');
    const style = `.host-log-panel { display: none; } [data-testid="widget-template"] { width: ${CARD_PANEL_WIDTH}px; }`;
    const active = path.join(ARTIFACTS, `lead-card-${lang}.png`);
    await block.screenshot({ path: active, style });
    await testInfo.attach(`lead-card-${lang}`, { path: active, contentType: 'image/png' });

    // Pause until resumed by hand, by the button in the card.
    await panel.getByRole('button', { name: text.pause }).click();
    await expect(panel.getByTestId('gptb-lcard-state')).toHaveText(text.paused);
    await expect(panel.getByTestId('gptb-lcard-resumes')).toHaveText(text.byHand);
    // The person who pressed it is the one looking at the card.
    await expect(panel.getByTestId('gptb-lcard-paused-by')).toHaveText(text.you);
    const paused = await widgetApi<LeadAiState>(
      request,
      account.id,
      'GET',
      `/leads/${leadId}/ai-state`,
    );
    expect(paused).toMatchObject({ state: 'paused', pause: { source: 'widget_button' } });
    expect(paused.pause?.resumesAt).toBeNull();
    const pausedShot = path.join(ARTIFACTS, `lead-card-${lang}-paused.png`);
    await block.screenshot({ path: pausedShot, style });
    await testInfo.attach(`lead-card-${lang}-paused`, {
      path: pausedShot,
      contentType: 'image/png',
    });

    await panel.getByRole('button', { name: text.resume }).click();
    await expect(panel.getByTestId('gptb-lcard-state')).toHaveText(text.active);
    expect(
      (await widgetApi<LeadAiState>(request, account.id, 'GET', `/leads/${leadId}/ai-state`)).state,
    ).toBe('active');
    await expectQuietGuest(page);
  });
}

test('a pause for N minutes shows when the AI resumes by itself; bad minutes are refused in the form', async ({
  page,
  request,
}) => {
  await openWidget(page, account.subdomain, 'lcard', 'en', leadId);
  const panel = page.getByTestId('gptb-lcard');
  await expect(panel.getByTestId('gptb-lcard-state')).toBeVisible();
  // Kommo may run render again on the same card (init_once: false): still one block, one panel.
  await page.evaluate(() => {
    const host = (
      globalThis as unknown as { __sandboxHost: { widget: { callbacks: { render(): unknown } } } }
    ).__sandboxHost;
    host.widget.callbacks.render();
  });
  await expect(page.getByTestId('widget-template')).toHaveCount(1);
  await expect(page.locator('.gptb-lcard')).toHaveCount(1);
  await expect(page.locator('style#gptb-widget-css')).toHaveCount(1);
  const form = panel.getByTestId('gptb-lcard-pause-form');
  await form.getByLabel('for some minutes').check();
  const minutes = form.getByRole('spinbutton');
  await minutes.fill('0');
  await expect(form.getByRole('alert')).toHaveText(
    'Enter whole minutes from 1 to 10080 (one week).',
  );
  await expect(form.getByRole('button', { name: 'Pause AI' })).toBeDisabled();
  await minutes.fill('45');
  await form.getByRole('button', { name: 'Pause AI' }).click();
  await expect(panel.getByTestId('gptb-lcard-state')).toHaveText('AI is paused for this lead');
  await expect(panel.getByTestId('gptb-lcard-paused-by')).toHaveText('You paused it here');
  await expect(panel.getByTestId('gptb-lcard-resumes')).toContainText(
    'Resumes by itself in 45 min',
  );
  const state = await widgetApi<LeadAiState>(
    request,
    account.id,
    'GET',
    `/leads/${leadId}/ai-state`,
  );
  const left = Date.parse(state.pause?.resumesAt ?? '') - Date.now();
  expect(left).toBeGreaterThan(43 * 60_000);
  // The API's clock and this process's may differ by a little.
  expect(left).toBeLessThanOrEqual(45 * 60_000 + 5_000);

  // Another person's view of the same lead: a fresh page shows the same pause.
  await openWidget(page, account.subdomain, 'lcard', 'en', leadId);
  await expect(page.getByTestId('gptb-lcard-state')).toHaveText('AI is paused for this lead');
  await page.getByRole('button', { name: 'Resume AI now' }).click();
  await expect(page.getByTestId('gptb-lcard-state')).toHaveText('AI is answering this lead');
  await expectQuietGuest(page);
});

test('a request while the lead is paused is not sent to the provider, and the trace says why', async ({
  page,
  request,
}) => {
  const quiet = await newLead(request, 'Paused lead', 'Classify: are you open on Sunday?');
  await widgetApi(request, account.id, 'POST', `/leads/${quiet}/pause`, {});
  await webhookUntil(request, quiet, 1);
  await openWidget(page, account.subdomain, 'lcard', 'en', quiet);
  const item = page.getByTestId('gptb-trace-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('gptb-trace-silent')).toContainText(
    'The AI was paused for this lead',
  );
  await expect(item.getByTestId('gptb-trace-answer')).toHaveCount(0);
  await item.getByTestId('gptb-trace-prompt').locator('summary').click();
  await expect(item.getByTestId('gptb-trace-prompt')).toContainText(
    'Nothing was sent to the AI provider.',
  );
  await expectQuietGuest(page);
});

test('a lead with more requests than a page shows the older ones on "Show older"', async ({
  page,
  request,
}) => {
  const busy = await newLead(request, 'Busy lead', 'Classify: hello');
  for (let count = 1; count <= 11; count += 1) await webhookUntil(request, busy, count);
  await openWidget(page, account.subdomain, 'lcard', 'en', busy);
  const items = page.getByTestId('gptb-trace-item');
  await expect(items).toHaveCount(10);
  await page.getByRole('button', { name: 'Show older' }).click();
  await expect(items).toHaveCount(11);
  await expect(page.getByRole('button', { name: 'Show older' })).toHaveCount(0);
  const ids: (string | null)[] = [];
  const times: number[] = [];
  for (const item of await items.all()) {
    ids.push(await item.getAttribute('data-id'));
    times.push(Date.parse((await item.locator('time').getAttribute('datetime')) ?? ''));
  }
  expect(new Set(ids).size).toBe(11);
  expect([...times].sort((a, b) => b - a)).toEqual(times);
  await expectQuietGuest(page);
});

test('a card being created shows no block; a refused token shows the API error with Try again', async ({
  page,
  request,
}) => {
  await openWidget(page, account.subdomain, 'lcard', 'en', 0);
  await expect(page.getByTestId('callback-order')).toContainText('bind_actions');
  await expect(page.getByTestId('widgets-area').locator('.gptb-lcard')).toHaveCount(0);
  await expectQuietGuest(page);

  // Kommo signing with a secret that is not the integration's: the API refuses every call.
  const integration = `${SANDBOX_URL}/_sandbox/integration`;
  expect(
    (
      await request.patch(integration, { data: { client_secret: 'not-the-integration-secret' } })
    ).ok(),
  ).toBe(true);
  try {
    await openWidget(page, account.subdomain, 'lcard', 'en', leadId);
    const errors = page.getByTestId('gptb-lcard').getByRole('alert');
    await expect(errors.first()).toContainText('Error:');
    await expect(page.getByTestId('gptb-lcard-state')).toHaveCount(0);
  } finally {
    expect(
      (await request.patch(integration, { data: { client_secret: CLIENT_SECRET } })).ok(),
    ).toBe(true);
  }
  await page.getByTestId('gptb-lcard').getByRole('button', { name: 'Try again' }).first().click();
  await expect(page.getByTestId('gptb-lcard-state')).toHaveText('AI is answering this lead');
});
