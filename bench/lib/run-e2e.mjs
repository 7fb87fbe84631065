// Run 2, end to end: a webhook sent at a steady rate over several accounts, until the sandbox
// receives our lead PATCH. Overhead = (PATCH received − webhook sent) − the fake provider's
// scripted latency, i.e. everything we add: ack, queue, worker, the lead read, the Kommo write. The
// webhook is the field-observed body of Kommo's "Send webhook" step (no fields), so the worker reads
// the lead for its PROMPT before asking the provider (docs/kommo-contract.md §1).
import { kommoLead, phpForm } from './bodies.mjs';
import { assertAlive, sleep } from './processes.mjs';
import {
  createLeads,
  kommoRequests,
  patchTimes,
  sandboxClockOffset,
  setProviderLatency,
} from './stack.mjs';
import { round, summary } from './stats.mjs';

/** Posts Kommo's webhook form for one lead; resolves with when it was sent and the status. */
export async function sendWebhook(account, leadId) {
  const body = phpForm(kommoLead({ leadId, accountId: account.id, subdomain: account.subdomain }));
  const sentAt = Date.now();
  try {
    const response = await fetch(account.handlerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    await response.arrayBuffer();
    return { sentAt, ackMs: Date.now() - sentAt, status: response.status };
  } catch (error) {
    return { sentAt, ackMs: Date.now() - sentAt, status: 0, error: String(error) };
  }
}

/** Polls the sandbox log until every `account:lead` key has a PATCH, or the deadline passes. */
export async function waitForPatches(sandbox, since, offset, keys, deadline) {
  let times = new Map();
  for (;;) {
    assertAlive();
    times = await patchTimes(sandbox, since, offset);
    if (keys.every((key) => times.has(key)) || Date.now() > deadline) return times;
    await sleep(500);
  }
}

/**
 * Where the time goes, from the sandbox's log: webhook sent → our GET of the lead arrives
 * (ack, queue, worker pick-up, lead lock), GET → PATCH (Kommo read, provider call, our write),
 * and the provider calls' own duration as the sandbox served them (scripted latency plus the
 * fake's request validation, which is not ours but lands in the overhead).
 */
async function stageBreakdown(sandbox, since, offset, sent, patches) {
  const entries = await kommoRequests(sandbox, { since });
  const firstGet = new Map();
  for (const e of entries) {
    const match = e.method === 'GET' && /^\/api\/v4\/leads\/(\d+)$/.exec(e.path);
    if (!match || e.status !== 200) continue;
    const key = `${e.account_id}:${match[1]}`;
    const received = e.at - e.duration_ms + offset;
    if (!firstGet.has(key) || firstGet.get(key) > received) firstGet.set(key, received);
  }
  const toGet = [];
  const getToPatch = [];
  for (const s of sent) {
    const get = firstGet.get(s.key);
    const patch = patches.get(s.key);
    if (get !== undefined) toGet.push(get - s.sentAt);
    if (get !== undefined && patch !== undefined) getToPatch.push(patch - get);
  }
  const provider = entries.filter((e) => e.path.startsWith('/openai/')).map((e) => e.duration_ms);
  return {
    sentToLeadRead: summary(toGet.map((v) => round(v, 1))),
    leadReadToPatch: summary(getToPatch.map((v) => round(v, 1))),
    providerCall: summary(provider),
  };
}

/**
 * Sends `total` webhooks at the configured rate over the accounts, one new lead each, and waits
 * for their PATCHes. Returns what was sent and when each PATCH arrived.
 */
async function sendSteadily({ config, sandbox, accounts, total }) {
  const { e2e } = config;
  // Webhook i goes to account i mod n, each to a lead of its own (one answer per lead).
  const perAccount = Math.ceil(total / accounts.length);
  const leads = await Promise.all(accounts.map((a) => createLeads(sandbox, a.id, perAccount)));
  await sandbox.call('DELETE', '/_sandbox/requests');
  await sandbox.call('DELETE', '/_sandbox/ai/calls');
  const offset = await sandboxClockOffset(sandbox);
  const since = Math.floor(Date.now() - offset);
  const interval = 1000 / e2e.ratePerSecond;
  const start = Date.now() + 200;
  const sends = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * interval;
    const wait = scheduled - Date.now();
    if (wait > 0) await sleep(wait);
    const account = accounts[i % accounts.length];
    const leadId = leads[i % accounts.length][Math.floor(i / accounts.length)];
    sends.push(
      sendWebhook(account, leadId).then((sent) => ({
        ...sent,
        key: `${account.id}:${leadId}`,
        lagMs: sent.sentAt - scheduled,
      })),
    );
  }
  const sent = await Promise.all(sends);
  const times = await waitForPatches(
    sandbox,
    since,
    offset,
    sent.map((s) => s.key),
    Date.now() + Math.max(60_000, e2e.seconds * 2_000),
  );
  return { sent, times, since, offset };
}

// Our salesbot block in Kommo's documented pattern (docs/kommo-contract.md §5.2), as the
// widget-block template fills it: widget_request with the message as the prompt, then a branch on
// the continue's {{json.status}}.
const widgetBot = (url) => ({
  0: {
    question: [
      {
        handler: 'widget_request',
        params: { url, data: { prompt: '{{message_text}}', lead_id: '{{lead.id}}', next_step: 1 } },
      },
      { handler: 'goto', params: { type: 'question', step: 1 } },
    ],
  },
  1: { question: [{ handler: 'show', params: { type: 'text', value: '{{json.reply}}' } }] },
});

// Each message names its own item, so its widget_request and its provider call can be matched.
const ITEM = /item (\d+) in stock/;

const CONTINUE_PATH = /^\/api\/v4\/salesbot\/\d+\/continue\/([^/?]+)$/;

/**
 * Widget-block mode: the sandbox's salesbot posts widget_request to our block URL and waits; the
 * worker answers through continue. Customer messages go at the configured rate over the accounts,
 * each on a new lead. Overhead = (the sandbox received our continue − its widget_request was
 * sent) − the provider's latency, matched by the continue id in the widget_request's return_url.
 */
async function sendWidgetMessages({ config, sandbox, accounts, total }) {
  const { e2e } = config;
  await sandbox.call('DELETE', '/_sandbox/requests');
  await sandbox.call('DELETE', '/_sandbox/ai/calls');
  const offset = await sandboxClockOffset(sandbox);
  const since = Math.floor(Date.now() - offset);
  const interval = 1000 / e2e.ratePerSecond;
  const start = Date.now() + 200;
  const sends = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * interval;
    const wait = scheduled - Date.now();
    if (wait > 0) await sleep(wait);
    const account = accounts[i % accounts.length];
    sends.push(
      sandbox
        .call('POST', '/_sandbox/salesbot/messages', {
          account: account.id,
          text: `Hello, is item ${i} in stock?`,
          create_lead: { name: `Bench widget lead ${i}` },
        })
        .then(
          () => ({ ok: true, lagMs: Date.now() - scheduled }),
          (error) => ({ ok: false, error: String(error), lagMs: Date.now() - scheduled }),
        ),
    );
  }
  const sent = await Promise.all(sends);
  const deadline = Date.now() + Math.max(60_000, e2e.seconds * 2_000);
  for (;;) {
    assertAlive();
    const { requests, continues } = await widgetExchanges(sandbox, since, offset);
    const done = [...requests.keys()].filter((id) => continues.has(id)).length;
    if ((requests.size >= total && done >= requests.size) || Date.now() > deadline) {
      return { sent, requests, continues, since, offset };
    }
    await sleep(500);
  }
}

/** Continue id → when its widget_request was sent / when our continue arrived (our clock). */
async function widgetExchanges(sandbox, since, offset) {
  const outbound = await kommoRequests(sandbox, {
    direction: 'out',
    kind: 'salesbot.outbound',
    since,
  });
  const requests = new Map();
  for (const e of outbound) {
    const id = /\/continue\/([A-Za-z0-9_-]+)/.exec(decodeURIComponent(String(e.body ?? '')))?.[1];
    const item = ITEM.exec(String(e.body ?? ''))?.[1];
    if (id && e.status === 200) {
      requests.set(id, { sentAt: e.at - e.duration_ms + offset, ackMs: e.duration_ms, item });
    }
  }
  const inbound = await kommoRequests(sandbox, { method: 'POST', since });
  const continues = new Map();
  for (const e of inbound) {
    const id = CONTINUE_PATH.exec(e.path)?.[1];
    if (!id || e.status < 200 || e.status >= 300) continue;
    const received = e.at - e.duration_ms + offset;
    if (!continues.has(id) || continues.get(id) > received) continues.set(id, received);
  }
  return { requests, continues };
}

async function runWidgetPhases({ config, sandbox, accounts, log }) {
  const { e2e } = config;
  const total = Math.round(e2e.ratePerSecond * e2e.seconds);
  for (const account of accounts) {
    await sandbox.call('POST', '/_sandbox/salesbot/bots', {
      account: account.id,
      name: 'GPT Bridge block (bench)',
      script: widgetBot(account.widgetRequestUrl),
    });
  }
  const phases = [];
  for (const latencyMs of e2e.providerLatenciesMs) {
    await setProviderLatency(sandbox, latencyMs);
    const { sent, requests, continues, since, offset } = await sendWidgetMessages({
      config,
      sandbox,
      accounts,
      total,
    });
    // Where the time goes: widget_request sent → our provider call arrives (ack, queue, worker
    // pick-up, quota), provider call → the continue arrives, less the scripted latency.
    const { calls } = await sandbox.call('GET', '/_sandbox/ai/calls?provider=openai');
    const askedAt = new Map();
    for (const call of calls) {
      const item = ITEM.exec(JSON.stringify(call.body ?? ''))?.[1];
      if (item !== undefined && !askedAt.has(item)) askedAt.set(item, call.at + offset);
    }
    const overheads = [];
    const toProvider = [];
    const providerToContinue = [];
    // Continued without a provider call: a refusal (the plan's limit, no key) answered at once.
    // It is no measure of the path (it read as an overhead of −1,485 ms), so it is counted apart.
    let notAsked = 0;
    let continued = 0;
    for (const [id, request] of requests) {
      const asked = askedAt.get(request.item);
      const received = continues.get(id);
      if (received !== undefined) continued += 1;
      if (asked === undefined) {
        if (received !== undefined) notAsked += 1;
        continue;
      }
      toProvider.push(round(asked - request.sentAt, 1));
      if (received === undefined) continue;
      overheads.push(received - request.sentAt - latencyMs);
      providerToContinue.push(round(received - asked - latencyMs, 1));
    }
    const rateLimited = await kommoRequests(sandbox, { status: 429, since });
    const blocked = await kommoRequests(sandbox, { status: 403, since });
    const phase = {
      mode: 'widget',
      stagesMs: {
        sentToProviderCall: summary(toProvider),
        providerCallToContinue: summary(providerToContinue),
      },
      providerLatencyMs: latencyMs,
      webhooks: total,
      accounts: accounts.length,
      ratePerSecond: e2e.ratePerSecond,
      workerConcurrency: config.workerConcurrency ?? 'default',
      messagesNotSent: sent.filter((s) => !s.ok).length,
      widgetRequests: requests.size,
      // The salesbot waits at most 2 s for our 200 (docs/kommo-contract.md §5.2).
      acksNot2xx: total - requests.size,
      ackMs: summary([...requests.values()].map((r) => r.ackMs)),
      answered: continued,
      missing: total - continued,
      answeredWithoutProvider: notAsked,
      overheadMs: summary(overheads.map((v) => round(v, 1))),
      kommo429: rateLimited.length,
      kommo403: blocked.length,
    };
    log(
      `  run 2 widget block, provider ${latencyMs} ms: overhead p50 ${phase.overheadMs.p50} p99 ${phase.overheadMs.p99} ms, ${phase.missing} missing, ${notAsked} without a provider call`,
    );
    phases.push(phase);
  }
  return phases;
}

export async function runE2e({ config, sandbox, accounts, log }) {
  const { e2e } = config;
  const total = Math.round(e2e.ratePerSecond * e2e.seconds);
  const phases = [];
  // The API and worker were just started: the first seconds open database connections and
  // compile hot paths. Like run 1's warm-up, that traffic is sent and its figures discarded.
  if (config.ack.warmupSeconds > 0) {
    await setProviderLatency(sandbox, 0);
    const warmup = Math.round(e2e.ratePerSecond * config.ack.warmupSeconds);
    await sendSteadily({ config, sandbox, accounts, total: warmup });
    log(`  run 2 warm-up: ${warmup} webhooks sent and discarded`);
  }
  const classic = e2e.modes.includes('classic') ? e2e.providerLatenciesMs : [];
  for (const latencyMs of classic) {
    await setProviderLatency(sandbox, latencyMs);
    const { sent, times, since, offset } = await sendSteadily({ config, sandbox, accounts, total });
    const overheads = [];
    for (const s of sent) {
      const received = times.get(s.key);
      if (received !== undefined) overheads.push(received - s.sentAt - latencyMs);
    }
    const stages = await stageBreakdown(sandbox, since, offset, sent, times);
    const rateLimited = await kommoRequests(sandbox, { status: 429, since });
    const blocked = await kommoRequests(sandbox, { status: 403, since });
    const { calls } = await sandbox.call('GET', '/_sandbox/ai/calls?provider=openai');
    const phase = {
      providerLatencyMs: latencyMs,
      webhooks: total,
      accounts: accounts.length,
      ratePerSecond: e2e.ratePerSecond,
      workerConcurrency: config.workerConcurrency ?? 'default',
      acksNot2xx: sent.filter((s) => s.status < 200 || s.status >= 300).length,
      ackMs: summary(sent.map((s) => s.ackMs)),
      senderLagMs: summary(sent.map((s) => s.lagMs)),
      answered: overheads.length,
      missing: total - overheads.length,
      providerCallsOk: calls.filter((c) => c.status === 200).length,
      overheadMs: summary(overheads.map((v) => round(v, 1))),
      stagesMs: stages,
      kommo429: rateLimited.length,
      kommo403: blocked.length,
      // Each webhook: ms after the phase's first send, ack ms, overhead ms (null: no PATCH).
      samples: sent.map((s) => {
        const received = times.get(s.key);
        return [
          s.sentAt - sent[0].sentAt,
          s.ackMs,
          received === undefined ? null : round(received - s.sentAt - latencyMs, 1),
        ];
      }),
    };
    log(
      `  run 2 provider ${latencyMs} ms: overhead p50 ${phase.overheadMs.p50} p99 ${phase.overheadMs.p99} ms, ${phase.missing} missing`,
    );
    phases.push(phase);
  }
  if (!e2e.modes.includes('widget')) return { phases };
  return { phases, widgetPhases: await runWidgetPhases({ config, sandbox, accounts, log }) };
}
