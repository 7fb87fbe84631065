// The webhooks of a fault run, as Kommo would send them: for each message the lead's PROMPT is set
// in the sandbox (what the salesbot does before its "Send webhook" step), then the field-observed
// form body is posted (docs/kommo-contract.md §1). Kommo wants a 2xx within 2 s and resends a
// webhook that failed; we resend the same bytes on a timeout, a connection error, a 429 or a 5xx.
import { kommoLead, phpForm } from './bodies.mjs';
import { sleep } from './processes.mjs';
import { PROMPT_FIELD } from './stack.mjs';

/** The marker the fake OpenAI's echo carries back into ANSWER, so an answer names its message. */
export const tokenOf = (g) => `[cx:${g}]`;
export const TOKEN_RE = /\[cx:(\d+)\]/;

/** 1, 2, 4, 8, then every 10 s. */
const resendDelayMs = (attempt) => Math.min(10_000, 1000 * 2 ** (attempt - 1));

/**
 * Message g goes to lead g mod (accounts × leads), the leads interleaved across accounts, so a
 * lead gets a message every accounts × leads / rate seconds and neighbours hit different accounts.
 */
export function planMessages(config, accounts) {
  const order = [];
  for (let l = 0; l < config.leadsPerAccount; l += 1) {
    for (const account of accounts) order.push({ account, leadId: account.leads[l] });
  }
  const perLead = new Map();
  return Array.from({ length: config.webhooks }, (_, g) => {
    const { account, leadId } = order[g % order.length];
    const key = `${account.id}:${leadId}`;
    const k = perLead.get(key) ?? 0;
    perLead.set(key, k + 1);
    return { g, k, key, account, leadId, attempts: [], acked: false, gaveUp: false };
  });
}

async function setPrompt(sandbox, message) {
  const text = `Chaos message ${message.k} of lead ${message.leadId} ${tokenOf(message.g)}`;
  const route = `/_sandbox/accounts/${message.account.id}/leads/${message.leadId}/fields/${PROMPT_FIELD}`;
  for (let tries = 1; ; tries += 1) {
    try {
      await sandbox.call('PUT', route, { value: text });
      return;
    } catch (error) {
      if (tries >= 5) throw error;
      await sleep(200 * tries);
    }
  }
}

async function post(message, body, timeoutMs) {
  const at = Date.now();
  try {
    const response = await fetch(message.account.handlerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return { at, ms: Date.now() - at, status: response.status };
  } catch (error) {
    const timeout = error?.name === 'TimeoutError';
    return { at, ms: Date.now() - at, status: timeout ? 'timeout' : 'error' };
  }
}

/** Posts until a 2xx, a 4xx other than 408/429 (ours to refuse; Kommo would stop), or the window ends. */
async function deliver(message, config) {
  const body = phpForm(
    kommoLead({
      leadId: message.leadId,
      accountId: message.account.id,
      subdomain: message.account.subdomain,
    }),
  );
  for (let attempt = 1; ; attempt += 1) {
    const result = await post(message, body, config.ackTimeoutMs);
    message.attempts.push(result);
    const { status } = result;
    if (typeof status === 'number' && status >= 200 && status < 300) {
      message.acked = true;
      message.ackedAt = result.at + result.ms;
      return;
    }
    if (typeof status === 'number' && status < 500 && status !== 408 && status !== 429) return;
    const elapsed = Date.now() - message.firstSentAt;
    if (elapsed > config.resendWindowSeconds * 1000) {
      message.gaveUp = true;
      return;
    }
    await sleep(resendDelayMs(attempt));
  }
}

/**
 * Sends every message at its time (an open load: a slow answer does not delay the next message)
 * and resolves when each one is acknowledged or given up. Per lead, the next PROMPT is set only
 * after the previous message's first post has gone out, as a salesbot runs its steps in order.
 */
export async function sendAll({ config, sandbox, messages, start, log }) {
  const interval = (config.sendSeconds * 1000) / messages.length;
  const turns = new Map();
  const deliveries = [];
  let failed = null;
  for (const message of messages) {
    const due = start + message.g * interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    if (failed) throw failed;
    message.dueAt = due;
    let firstOut;
    const out = new Promise((resolve) => (firstOut = resolve));
    const turn = (turns.get(message.key) ?? Promise.resolve()).then(async () => {
      try {
        await setPrompt(sandbox, message);
      } catch (error) {
        failed = new Error(`sandbox refused a PROMPT: ${error.message}`);
        firstOut();
        return;
      }
      message.firstSentAt = Date.now();
      const done = deliver(message, config);
      firstOut();
      await done;
    });
    turns.set(
      message.key,
      out.then(() => undefined),
    );
    deliveries.push(turn);
    if (message.g > 0 && message.g % 1000 === 0) {
      const acked = messages.slice(0, message.g).filter((m) => m.acked).length;
      log(`  sent ${message.g} of ${messages.length} (${acked} acknowledged so far)`);
    }
  }
  await Promise.all(deliveries);
  if (failed) throw failed;
}
