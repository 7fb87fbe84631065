import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type SandboxRequest } from './sandbox';

/**
 * Every Kommo request our rate limiter let out, as it booked them: the `ZADD` of each send into
 * `{prefix}:kommo-sent:{installation}` (KommoRateLimiter's window script), read from Redis'
 * MONITOR stream with the score the script wrote, i.e. Redis' clock at the moment of the
 * decision. No process of ours can be late for that clock, so the ledger shows the budget as the
 * product kept it whatever the load on the machine; the sandbox's log shows what arrived, after
 * the scheduling delays of every process on the way.
 */
export class KommoSendLedger {
  private readonly sends = new Map<string, number[]>();
  private readonly reservations = new Map<string, number[]>();
  private buffered = '';

  private constructor(
    private readonly socket: Socket,
    prefix: string,
  ) {
    const sent = `${prefix}:kommo-sent:`;
    const rate = `${prefix}:kommo-rate:`;
    const add = (map: Map<string, number[]>, id: string, at: number) =>
      map.set(id, [...(map.get(id) ?? []), at]);
    // One line per command: `+<s.µs> [<db> <client>|lua] "<name>" "<arg>"…` (quotes escaped).
    socket.on('data', (chunk: Buffer) => {
      const lines = (this.buffered + chunk.toString('latin1')).split('\r\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) {
        const head = /^\+(\d+\.\d+) \[\d+ ([^\]]+)\] /.exec(line);
        if (!head) continue;
        const source = head[2] ?? '';
        const args = [...line.slice(head[0].length).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(
          (m) => m[1] ?? '',
        );
        const command = args[0]?.toUpperCase();
        if (source === 'lua' && command === 'ZADD' && args[1]?.startsWith(sent)) {
          add(this.sends, args[1].slice(sent.length), Number(args[2]) / 1000);
        }
        // The reserve script is the limiter's only one with two keys, the installation's first.
        if (
          source !== 'lua' &&
          command === 'EVALSHA' &&
          args[2] === '2' &&
          args[3]?.startsWith(rate)
        ) {
          add(this.reservations, args[3].slice(rate.length), Number(head[1]) * 1000);
        }
      }
    });
  }

  /**
   * A plain connection in MONITOR mode (ioredis' monitor() can take monitored lines that come
   * with its `OK` for a reply and fail on a busy server).
   */
  static async start(redisUrl: string, prefix: string): Promise<KommoSendLedger> {
    const url = new URL(redisUrl);
    const socket = connect(Number(url.port || 6379), url.hostname);
    socket.on('error', () => undefined); // Redis gone: the counts come out short and say so
    await once(socket, 'connect');
    socket.write('MONITOR\r\n');
    return new KommoSendLedger(socket, prefix);
  }

  /**
   * The installation's sends booked at or after `since` (ms, sorted), once at least `count` have
   * come through (MONITOR runs a little behind), or what there is after 5 s.
   */
  async sendsOf(installationId: string, since: number, count: number): Promise<number[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = (this.sends.get(installationId) ?? []).filter((at) => at >= since);
      if (found.length >= count || Date.now() > deadline) return found.sort((a, b) => a - b);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Slots the installation reserved since `since`: one per send, plus one for every slot given up
   * by a caller that woke too late for it (KommoRateLimiter.awaitSlot; a starved process) or was
   * sent back by the window. The schedule spaces slots, not sends, so they set the pace.
   */
  reservationsOf(installationId: string, since: number): number {
    return (this.reservations.get(installationId) ?? []).filter((at) => at >= since).length;
  }

  stop(): void {
    this.socket.destroy();
  }
}

/** The most timestamps (ms) in any window (t - windowMs, t]: the limiter's and the sandbox's rule. */
export function busiestWindow(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let j = 0, i = 0; j < sorted.length; j++) {
    while ((sorted[i] ?? 0) <= (sorted[j] ?? 0) - windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** When the sandbox took the request in (real time; `clockOffsetMs`: how far its clock was moved). */
export const arrivalOf = (request: SandboxRequest, clockOffsetMs = 0): number =>
  request.at - clockOffsetMs - request.duration_ms;

export type RefusalReport = {
  /** One line per 429: the second before it as booked (ledger) and as it arrived (sandbox). */
  lines: string[];
  /** 429s that the delivery delays do not explain: none may exist. */
  unexplained: number;
};

/**
 * Kommo's 429s against what we sent. Our budget (≤ `budget` a second, checked on the ledger)
 * keeps one request of Kommo's 7 as margin for delivery jitter: Kommo can count 8 in a second
 * only when the requests of that second reached it with delays differing by more than that
 * margin, 1/budget s (a loaded machine stalls a process for longer: the sender between its slot
 * and the socket, or the sandbox before it stamps a request). A 429 whose second arrived with
 * less jitter than that is a broken budget, whatever the ledger says, and counts as unexplained.
 * `inbound` are all the sandbox's requests for the account in the phase, `sends` the ledger's for
 * the installation (one each: the caller asserts that first); they are paired in time order.
 */
export function explainRefusals(
  inbound: SandboxRequest[],
  sends: number[],
  budget: number,
  clockOffsetMs = 0,
): RefusalReport {
  const arrivals = inbound
    .map((request) => ({ request, at: arrivalOf(request, clockOffsetMs) }))
    .sort((a, b) => a.at - b.at);
  const margin = 1_000 / budget;
  const lines: string[] = [];
  let unexplained = 0;
  arrivals.forEach(({ request, at }, index) => {
    if (request.status !== 429) return;
    // The second Kommo looked at: the requests it had counted before this one, and this one.
    const second = arrivals
      .map((arrival, i) => ({ ...arrival, sentAt: sends[i] ?? NaN }))
      .filter((a, i) => i <= index && a.at > at - 1_000)
      .filter((a, i, all) => a.request.status !== 429 || i === all.length - 1);
    const delays = second.map((a) => a.at - a.sentAt);
    const jitter = Math.max(...delays) - Math.min(...delays);
    const explained = jitter > margin;
    if (!explained) unexplained += 1;
    const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
    lines.push(
      `429 at ${iso(at)}: ${second.length} requests in its second, sent ${second
        .map((a) => iso(a.sentAt))
        .join(' ')}, delays ${delays.map((d) => Math.round(d)).join('/')} ms, jitter ` +
        `${Math.round(jitter)} ms ${explained ? '>' : '≤'} margin ${Math.round(margin)} ms`,
    );
  });
  return { lines, unexplained };
}
