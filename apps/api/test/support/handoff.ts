import { Clock } from '../../src/common/clock/clock';
import { HandoffSettingsService } from '../../src/domain/handoff/handoff-settings.service';
import {
  type TemplateKind,
  TemplateInstaller,
} from '../../src/domain/templates/template-installer.service';
import { type KommoStack, waitFor } from './kommo-stack';
import { SalesbotDriver } from './salesbot-driver';
import { type InstalledAccount, installAccount, providerSettings } from './webhook-stack';

/** Issue 22 test helpers: the team's messages in the sandbox, pauses in our database, the clock. */

export type WidgetAnswer = { status: number; json: Record<string, unknown> };

/** A widget API call with a fresh X-Auth-Token of `account` (its user: `userId` if given). */
export async function widgetCall(
  stack: KommoStack,
  account: number,
  method: string,
  route: string,
  body?: unknown,
  userId?: number,
): Promise<WidgetAnswer> {
  const { token } = await stack.sandbox.widgetToken(
    account,
    'valid',
    userId === undefined ? {} : { userId },
  );
  const response = await fetch(`${stack.apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** A user of the account writes in the lead's chat (the chat page's "write as a team member"). */
export function teamMessage(stack: KommoStack, leadId: number, text: string, userId?: number) {
  return stack.sandbox.call<{ user: { id: number; name: string } }>(
    'POST',
    `/_sandbox/chats/${leadId}/team-message`,
    userId === undefined ? { text } : { text, user_id: userId },
  );
}

export type PauseRow = {
  source: string;
  user_id: string | null;
  user_name: string | null;
  resumes_at: Date | null;
  ended_at: Date | null;
  handback: string | null;
  on_off_set: boolean;
};

export async function pauseRow(
  stack: KommoStack,
  installationId: string,
  leadId: number,
): Promise<PauseRow | undefined> {
  const rows = await stack.db.query<PauseRow[]>(
    `SELECT source, user_id, user_name, resumes_at, ended_at, handback, on_off_set
       FROM lead_pauses WHERE installation_id = $1 AND lead_id = $2`,
    [installationId, leadId],
  );
  return rows[0];
}

export async function untilPaused(
  stack: KommoStack,
  installationId: string,
  leadId: number,
): Promise<PauseRow> {
  const row = await waitFor(
    () => pauseRow(stack, installationId, leadId),
    (found) => found !== undefined && found.ended_at === null,
  );
  return row!;
}

/** Waits for the account webhook the install subscribed; returns the state it ended in. */
export async function untilSubscription(
  stack: KommoStack,
  installationId: string,
  state: 'subscribed' | 'failed' | 'off' = 'subscribed',
): Promise<{ state: string; error: string | null }> {
  return waitFor(
    async () =>
      (
        await stack.db.query<{ state: string; error: string | null }[]>(
          `SELECT subscription_state AS state, subscription_error AS error
             FROM handoff_settings WHERE installation_id = $1`,
          [installationId],
        )
      )[0] ?? { state: 'none', error: null },
    (row) => row.state === state,
  );
}

export function eventsUrl(stack: KommoStack, installationId: string): Promise<string> {
  return stack.api.get(HandoffSettingsService).eventsUrl(installationId);
}

/** Moves our processes' clocks (the API's and the in-process worker's) `ms` ahead; null: back. */
export function travel(stack: KommoStack, ms: number | null): void {
  for (const app of [stack.api, stack.worker]) {
    app?.get(Clock).travelTo(ms === null ? null : new Date(Date.now() + ms));
  }
}

/** The request rows of one lead, with their stored answers. */
export function leadRequests(stack: KommoStack, installationId: string, leadId: number) {
  return stack.db.query<
    { kind: string; status: string; error_class: string | null; answer: string | null }[]
  >(
    `SELECT kind, status, error_class, answer FROM ai_requests
      WHERE installation_id = $1 AND lead_id = $2 ORDER BY seq`,
    [installationId, leadId],
  );
}

export type InstalledBot = {
  shop: InstalledAccount;
  driver: SalesbotDriver;
  stepOf: (name: string) => number;
};

/**
 * An account with GPT Bridge installed and its account webhook subscribed, the sandbox's OpenAI
 * keys saved and the template of `kind` uploaded as its active bot.
 */
export async function installWithTemplate(
  stack: KommoStack,
  kind: TemplateKind,
  keys: { chatgpt: string; assistant: string },
): Promise<InstalledBot> {
  const shop = await installAccount(stack);
  await untilSubscription(stack, shop.installationId);
  await providerSettings(stack).save(shop.installationId, {
    openaiApiKey: keys.chatgpt,
    assistant: {
      provider: 'openai',
      apiKey: keys.assistant,
      model: 'gpt-4o-mini',
      instructions: 'You answer for a shoe shop.',
    },
  });
  const template = await stack.api.get(TemplateInstaller).build(shop.installationId, kind);
  await stack.sandbox.createBot(
    shop.account.id,
    template.bot,
    `GPT Bridge (${kind})`,
    kind === 'classic' ? template.handAdded.map((entry) => entry.step) : [],
  );
  const stepOf = (name: string) => {
    const entry = template.outline.find((e) => e.name === name);
    if (!entry) throw new Error(`no step ${name}`);
    return entry.step;
  };
  return { shop, driver: new SalesbotDriver(stack, shop), stepOf };
}
