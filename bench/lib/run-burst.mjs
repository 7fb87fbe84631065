// Run 5, one answer per burst (issue 22 point 3): a customer writes three messages within 2 s,
// and we measure the time from the last of them to the bot's answer, in the sandbox's salesbot
// engine running the templates we ship (built from apps/api/dist) against the built API and
// worker. Each template runs next to its fixed-wait twin of before issue 22: a 20 s window
// (classic: also deaf pauses while it polls). The sandbox clock runs at real speed and nobody
// moves it, so its transcript times are real time: the templates' own waits (window, 5 s and
// 10 s polls) are measured as they are, not shortened.
import { assertAlive, sleep } from './processes.mjs';
import { apiRequire, withDb } from './stack.mjs';
import { round, summary } from './stats.mjs';

const { buildClassicTemplate } = apiRequire('./dist/domain/templates/classic-template.js');
const { buildWidgetBlockTemplate } = apiRequire('./dist/domain/templates/widget-block-template.js');
const { handAddedSteps } = apiRequire('./dist/domain/templates/hand-added.js');
const { BURST_WINDOW_SECONDS, FIXED_WAIT_WINDOW_SECONDS } = apiRequire(
  './dist/domain/templates/receive-steps.js',
);

// The intent prompt goes to this key (answers #General), the answer to this one (an echo of the
// prompt, so the answer shows which messages it covered).
export const BURST_INTENT_KEY = 'sk-bench-burst-intent-0001';
export const BURST_ANSWER_KEY = 'sk-bench-burst-answer-0001';

const MESSAGES = ['Hi', 'do you ship to Lisbon?', 'and to Porto, item NN?'];

/** The templates measured: one installed account each (one active bot per account). */
export const BURST_VARIANTS = [
  {
    name: 'classic, fixed 20 s window (before issue 22)',
    key: 'classic-fixed',
    mode: 'classic',
    options: { windowSeconds: FIXED_WAIT_WINDOW_SECONDS, listenWhileWaiting: false },
  },
  {
    name: `classic, ${BURST_WINDOW_SECONDS} s window + coalescing`,
    key: 'classic',
    mode: 'classic',
    options: {},
  },
  {
    name: 'widget block, fixed 20 s window',
    key: 'widget-fixed',
    mode: 'widget',
    options: { burstWindow: true, windowSeconds: FIXED_WAIT_WINDOW_SECONDS },
  },
  {
    name: `widget block, ${BURST_WINDOW_SECONDS} s window + coalescing`,
    key: 'widget',
    mode: 'widget',
    options: { burstWindow: true },
  },
  {
    name: 'widget block, no window (the default template)',
    key: 'widget-nowindow',
    mode: 'widget',
    options: {},
  },
];

async function widgetCall(sandbox, apiUrl, accountId, method, route, body) {
  const { token } = await sandbox.call('POST', '/_sandbox/widget-token', { account_id: accountId });
  const response = await fetch(`${apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`widget ${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Field key → Kommo id of an installed account. */
async function fieldIds(config, accountId) {
  return withDb(config, async (db) => {
    const { rows } = await db.query(
      `SELECT f.key, f.kommo_field_id FROM installation_fields f
         JOIN installations i ON i.id = f.installation_id
        WHERE i.kommo_account_id = $1`,
      [accountId],
    );
    return Object.fromEntries(rows.map((row) => [row.key, Number(row.kommo_field_id)]));
  });
}

/** Provider keys, the template built for the account, uploaded as its active bot. */
async function prepare({ config, sandbox, apiUrl, account, variant }) {
  await widgetCall(sandbox, apiUrl, account.id, 'PUT', '/providers', {
    openaiApiKey: BURST_INTENT_KEY,
    assistant: {
      provider: 'openai',
      apiKey: BURST_ANSWER_KEY,
      model: 'gpt-4o-mini',
      instructions: 'You answer for a shoe shop.',
    },
  });
  const { webhooks } = await widgetCall(sandbox, apiUrl, account.id, 'GET', '/webhooks');
  const url = (kind) => {
    const hook = webhooks.find((w) => w.kind === kind);
    return variant.mode === 'classic' ? hook.handlerUrl : hook.widgetRequestUrl;
  };
  const input = {
    fieldIds: await fieldIds(config, account.id),
    chatgptUrl: url('chatgpt'),
    assistantUrl: url('assistant'),
    ...variant.options,
  };
  const built =
    variant.mode === 'classic' ? buildClassicTemplate(input) : buildWidgetBlockTemplate(input);
  await sandbox.call('POST', '/_sandbox/salesbot/bots', {
    account: account.id,
    name: `GPT Bridge (${variant.key})`,
    script: built.bot,
    hand_added: handAddedSteps(built.bot).map((entry) => entry.step),
    active: true,
  });
}

/** Three messages `gapMs` apart on a new lead; resolves with the lead id. */
async function burstOnNewLead(sandbox, account, index, gapMs) {
  const texts = MESSAGES.map((text) => text.replace('NN', String(index)));
  const first = await sandbox.call('POST', '/_sandbox/salesbot/messages', {
    account: account.id,
    text: texts[0],
    create_lead: { name: `Bench burst lead ${index}` },
  });
  for (const text of texts.slice(1)) {
    await sleep(gapMs);
    await sandbox.call('POST', '/_sandbox/salesbot/messages', {
      account: account.id,
      lead_id: first.lead_id,
      text,
    });
  }
  return { leadId: first.lead_id, texts };
}

/** What the customer saw on one lead: answers after the first message, latency of the first. */
function outcome(chat, texts) {
  const customers = chat.entries.filter((e) => e.kind === 'customer');
  const last = customers.at(-1);
  const bots = chat.entries.filter((e) => e.kind === 'bot' && e.seq > (customers[0]?.seq ?? 0));
  const answer = bots.find((e) => last && e.seq > last.seq);
  const said = bots.map((e) => e.text).join('\n');
  return {
    answered: answer !== undefined,
    latencyMs: answer && last ? answer.at - last.at : null,
    answers: bots.length,
    // The echo answer quotes the prompt: every message of the burst must be in what was said.
    coversAll: texts.every((text) => said.includes(text)),
  };
}

export async function runBurst({ config, sandbox, apiUrl, accounts, log }) {
  const { burst } = config;
  for (const key of [BURST_INTENT_KEY, BURST_ANSWER_KEY]) {
    await sandbox.call('POST', '/_sandbox/ai/keys', { key });
  }
  await sandbox.call('PUT', `/_sandbox/ai/scripts/${BURST_INTENT_KEY}`, {
    answer: { mode: 'intent', rules: [], default: '#General' },
    latencyMs: burst.providerLatencyMs,
  });
  await sandbox.call('PUT', `/_sandbox/ai/scripts/${BURST_ANSWER_KEY}`, {
    answer: { mode: 'echo' },
    latencyMs: burst.providerLatencyMs,
  });
  const variants = BURST_VARIANTS.filter((v) => burst.variants.includes(v.key));
  for (const [i, variant] of variants.entries()) {
    await prepare({ config, sandbox, apiUrl, account: accounts[i], variant });
  }
  log(
    `  run 5: ${burst.leads} bursts of 3 messages ${burst.gapMs} ms apart per template, ` +
      `${variants.length} templates at once, provider ${burst.providerLatencyMs} ms`,
  );
  // Every template at once, each lead 200 ms after the previous one.
  const started = Date.now();
  const sent = await Promise.all(
    variants.flatMap((variant, v) =>
      Array.from({ length: burst.leads }, async (_, i) => {
        await sleep(i * 200);
        const lead = await burstOnNewLead(sandbox, accounts[v], i, burst.gapMs);
        return { variant, account: accounts[v], ...lead };
      }),
    ),
  );
  const chatOf = (s) =>
    sandbox.call('GET', `/_sandbox/salesbot/leads/${s.leadId}?account=${s.account.id}`);
  const deadline = Date.now() + burst.deadlineSeconds * 1000;
  for (;;) {
    assertAlive();
    const chats = await Promise.all(sent.map(chatOf));
    if (chats.every((chat, i) => outcome(chat, sent[i].texts).answered)) break;
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  // Room for a second answer to the same burst (the default widget block answers each message
  // it hears), then the final look.
  await sleep(burst.settleSeconds * 1000);
  const outcomes = await Promise.all(sent.map(async (s) => outcome(await chatOf(s), s.texts)));
  const coalesced = await withDb(config, async (db) => {
    const { rows } = await db.query(
      `SELECT i.kommo_account_id AS account, count(*) FILTER (WHERE r.error_class = 'coalesced')::int AS n
         FROM ai_requests r JOIN installations i ON i.id = r.installation_id
        WHERE i.kommo_account_id = ANY($1::bigint[]) GROUP BY 1`,
      [accounts.map((a) => a.id)],
    );
    return new Map(rows.map((row) => [Number(row.account), row.n]));
  });
  const phases = variants.map((variant, v) => {
    const mine = outcomes.filter((_, i) => sent[i].variant === variant);
    const latencies = mine.filter((o) => o.latencyMs !== null).map((o) => o.latencyMs);
    const phase = {
      template: variant.key,
      name: variant.name,
      bursts: mine.length,
      answered: latencies.length,
      missing: mine.length - latencies.length,
      // Bursts that got more than one bot message, and bursts whose answers left a message out.
      extraAnswers: mine.filter((o) => o.answers > 1).length,
      notCovered: mine.filter((o) => !o.coversAll).length,
      coalescedRequests: coalesced.get(Number(accounts[v].id)) ?? 0,
      lastMessageToAnswerMs: summary(latencies.map((ms) => round(ms, 0))),
    };
    log(
      `  run 5 ${variant.key}: last message → answer p50 ${phase.lastMessageToAnswerMs.p50} ms, ` +
        `max ${phase.lastMessageToAnswerMs.max} ms; ${phase.missing} missing, ` +
        `${phase.extraAnswers} with more than one answer, ${phase.notCovered} not covering all`,
    );
    return phase;
  });
  return {
    messagesPerBurst: MESSAGES.length,
    gapMs: burst.gapMs,
    providerLatencyMs: burst.providerLatencyMs,
    windowSeconds: BURST_WINDOW_SECONDS,
    fixedWindowSeconds: FIXED_WAIT_WINDOW_SECONDS,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    phases,
  };
}
