// The processes of a fault run under watch, and the faults on a schedule. Each process lives in a
// slot that restarts it when it exits: after a kill of ours like a supervisor would, and after an
// exit of its own too (so the run can finish), which is counted as a process that exited.
import { killProcess, sleep } from './processes.mjs';

const alive = (entry) => entry && entry.child.exitCode === null && entry.child.signalCode === null;

/**
 * `spawn(life)` starts the process and returns its entry at once; `isReady(entry)` says whether
 * it serves yet. `restartDelayMs` is the pause before a restart.
 */
export class Slot {
  constructor(name, { spawn, isReady, restartDelayMs, onEvent = () => {} }) {
    Object.assign(this, { name, spawn, isReady, restartDelayMs, onEvent });
    this.entry = null;
    this.lives = 0;
    // While held (an outage in progress) an exit is not followed by a restart.
    this.held = false;
    this.closed = false;
    this.serving = false;
    this.exits = [];
    this.ready = Promise.resolve(null);
  }

  /** Starts a new life; `ready` resolves with the time it served, or null if it died first. */
  launch() {
    this.lives += 1;
    const life = this.lives;
    const entry = this.spawn(life);
    this.entry = entry;
    this.serving = false;
    this.onEvent(`${this.name} life ${life} started`);
    entry.exited.then((exit) => {
      if (this.entry === entry) this.serving = false;
      this.exits.push({ life, expected: entry.stopping, ...exit });
      this.onEvent(
        `${this.name} life ${life} exited (${exit.signal ?? `code ${exit.code}`}${entry.stopping ? '' : ', on its own'})`,
      );
      if (this.closed || this.held || this.entry !== entry) return;
      setTimeout(() => {
        if (!this.closed && !this.held && this.entry === entry) this.launch();
      }, this.restartDelayMs);
    });
    this.ready = (async () => {
      for (;;) {
        if (!alive(entry) || this.closed) return null;
        try {
          // A check that hangs (a connection to a server still starting) must not stall the loop.
          const check = Promise.race([this.isReady(entry), sleep(3000).then(() => false)]);
          if (await check) {
            if (this.entry === entry) this.serving = true;
            this.onEvent(`${this.name} life ${life} serving`);
            return Date.now();
          }
        } catch {
          // not yet
        }
        await sleep(100);
      }
    })();
    return this.ready;
  }

  /** Exits of its own: the ones we did not cause. */
  unexpected() {
    return this.exits.filter((exit) => !exit.expected);
  }
}

/** mulberry32: the same schedule for the same seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The schedule, in seconds after the first webhook: worker kills and the three store faults. */
export function faultPlan(config) {
  const f = config.faults;
  const next = random(f.seed);
  const plan = [];
  const lastKill = config.sendSeconds - f.lastKillBeforeEndSeconds;
  let at = f.killEveryMinSeconds;
  for (let i = 0; at <= lastKill; i += 1) {
    plan.push({ at, kind: 'worker-kill', worker: i % 2 === 0 ? 'a' : 'b' });
    at += f.killEveryMinSeconds + next() * (f.killEveryMaxSeconds - f.killEveryMinSeconds);
    at = Math.round(at * 10) / 10;
  }
  plan.push({ at: f.redisKillAt, kind: 'redis-kill' });
  plan.push({ at: f.redisOutageAt, kind: 'redis-outage', seconds: f.redisOutageSeconds });
  plan.push({ at: f.postgresOutageAt, kind: 'postgres-outage', seconds: f.postgresOutageSeconds });
  return plan.sort((x, y) => x.at - y.at);
}

/**
 * Runs the plan from `start` (ms). Every fault resolves to a record with when it began and when
 * the process it hit served again (`endedAt`); faults overlap as their times say.
 */
export async function runFaults({ plan, start, slots, redisOutageMode, log }) {
  let killTurn = Promise.resolve();
  const faults = plan.map(async (fault) => {
    const wait = start + fault.at * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    const record = { ...fault, startedAt: Date.now() };
    try {
      if (fault.kind === 'worker-kill') {
        // A worker still booting has nothing in flight: the kill goes to the scheduled worker
        // if it serves, else to the other, else waits until one serves.
        // One kill at a time, so two kills that waited do not take both workers at once.
        const previous = killTurn;
        let release;
        killTurn = new Promise((resolve) => (release = resolve));
        await previous;
        const order = fault.worker === 'a' ? ['a', 'b'] : ['b', 'a'];
        let slot = null;
        while (!slot) {
          const name = order.find((w) => slots[`worker-${w}`].serving);
          if (name) {
            slot = slots[`worker-${name}`];
            record.worker = name;
          } else {
            await sleep(100);
          }
        }
        record.delayedMs = Date.now() - record.startedAt;
        record.startedAt = Date.now();
        record.life = slot.lives;
        slot.serving = false;
        await killProcess(slot.entry, 'SIGKILL');
        release();
        // The slot restarts it after its delay; wait for that life to be up.
        record.endedAt = await nextReady(slot, record.life);
        if (!record.endedAt) record.note = 'its next life was killed before it served';
      } else if (fault.kind === 'redis-kill') {
        await killProcess(slots.redis.entry, 'SIGKILL');
        record.endedAt = await nextReady(slots.redis, slots.redis.lives);
      } else if (fault.kind === 'redis-outage' && redisOutageMode === 'pause') {
        slots.redis.entry.child.kill('SIGSTOP');
        await sleep(fault.seconds * 1000);
        slots.redis.entry.child.kill('SIGCONT');
        record.endedAt = Date.now();
      } else {
        const slot = fault.kind === 'redis-outage' ? slots.redis : slots.postgres;
        slot.held = true;
        // Redis: a clean shutdown (SIGTERM); PostgreSQL: an immediate one (SIGQUIT, as
        // `pg_ctl stop -m immediate`), so it recovers from its WAL at the start.
        await killProcess(slot.entry, fault.kind === 'redis-outage' ? 'SIGTERM' : 'SIGQUIT');
        record.downAt = Date.now();
        await sleep(fault.seconds * 1000);
        slot.held = false;
        record.endedAt = await slot.launch();
      }
    } catch (error) {
      record.error = String(error);
    }
    record.endedAt ??= null;
    log(
      `  fault ${fault.kind}${fault.worker ? ` ${fault.worker}` : ''} at ${fault.at} s: ` +
        `${record.endedAt ? `serving again after ${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s` : (record.error ?? record.note ?? 'not up again')}`,
    );
    return record;
  });
  return Promise.all(faults);
}

/** Waits for the life after `life` to start and serve. */
async function nextReady(slot, life) {
  while (slot.lives <= life && !slot.closed) await sleep(50);
  return slot.ready;
}
