// Run 3, the Kommo limit: a burst of messages to several accounts at once. Each message costs two
// Kommo calls (read the lead, PATCH the answer), so at our budget of B calls/s per account the
// fastest possible drain is 2·burst/B seconds, accounts in parallel. The sandbox enforces Kommo's
// 7/s per account and answers 429 beyond it; we must never see one.
import { assertAlive } from './processes.mjs';
import { sendWebhook, waitForPatches } from './run-e2e.mjs';
import { createLeads, kommoRequests, sandboxClockOffset, setProviderLatency } from './stack.mjs';
import { round, summary } from './stats.mjs';

export async function runDrain({ config, sandbox, accounts, log }) {
  const { drain, kommoBudgetPerSecond } = config;
  await setProviderLatency(sandbox, 0);
  const leads = await Promise.all(accounts.map((a) => createLeads(sandbox, a.id, drain.burst)));
  await sandbox.call('DELETE', '/_sandbox/requests');
  const offset = await sandboxClockOffset(sandbox);
  const since = Math.floor(Date.now() - offset);

  // Interleaved across accounts, so every account's burst starts at once.
  const queue = [];
  for (let i = 0; i < drain.burst; i += 1) {
    accounts.forEach((account, a) => queue.push({ account, leadId: leads[a][i] }));
  }
  const firstSent = new Map();
  const sent = [];
  let next = 0;
  const senders = Array.from({ length: Math.max(1, drain.senders) }, async () => {
    while (next < queue.length) {
      const { account, leadId } = queue[next++];
      const result = await sendWebhook(account, leadId);
      if (!firstSent.has(account.id) || firstSent.get(account.id) > result.sentAt) {
        firstSent.set(account.id, result.sentAt);
      }
      sent.push({ ...result, account: account.id, key: `${account.id}:${leadId}` });
    }
  });
  await Promise.all(senders);
  assertAlive();
  const burstSentMs = Math.max(...sent.map((s) => s.sentAt)) - Math.min(...firstSent.values());
  log(`  run 3: ${sent.length} webhooks sent in ${burstSentMs} ms; waiting for the drain`);

  const minimumSeconds = (2 * drain.burst) / kommoBudgetPerSecond;
  const times = await waitForPatches(
    sandbox,
    since,
    offset,
    sent.map((s) => s.key),
    Date.now() + Math.max(60_000, minimumSeconds * 3_000),
  );
  const perAccount = accounts.map((account, a) => {
    const keys = leads[a].map((lead) => `${account.id}:${lead}`);
    const received = keys.map((k) => times.get(k)).filter((t) => t !== undefined);
    const last = received.length ? Math.max(...received) : null;
    return {
      account: account.id,
      answered: received.length,
      drainSeconds: last === null ? null : round((last - firstSent.get(account.id)) / 1000, 2),
    };
  });
  const kommo = await kommoRequests(sandbox, { since });
  const ours = new Set(accounts.map((a) => a.id));
  const mine = kommo.filter((e) => ours.has(e.account_id));
  const calls = mine.filter((e) => e.path.startsWith('/api/'));
  const drains = perAccount.map((p) => p.drainSeconds).filter((d) => d !== null);
  const slowest = drains.length ? Math.max(...drains) : null;
  const result = {
    accounts: accounts.length,
    burstPerAccount: drain.burst,
    budgetPerSecond: kommoBudgetPerSecond,
    acksNot2xx: sent.filter((s) => s.status < 200 || s.status >= 300).length,
    ackMs: summary(sent.map((s) => s.ackMs)),
    burstSentMs,
    missing: sent.filter((s) => !times.has(s.key)).length,
    kommoCalls: calls.length,
    kommoCallsPerMessage: round(calls.length / sent.length, 2),
    kommo429: mine.filter((e) => e.status === 429).length,
    kommo403: mine.filter((e) => e.status === 403).length,
    minimumSeconds: round(minimumSeconds, 2),
    slowestDrainSeconds: slowest,
    drainRatio: slowest === null ? null : round(slowest / minimumSeconds, 3),
    perAccount,
  };
  log(
    `  run 3: drained in ${slowest} s (minimum ${result.minimumSeconds} s), ${result.kommo429} × 429`,
  );
  return result;
}
