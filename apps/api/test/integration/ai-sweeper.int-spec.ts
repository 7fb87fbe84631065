import { getQueueToken } from '@nestjs/bull';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type Queue } from 'bull';
import { type DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AiJobs, leadJobId } from '../../src/domain/requests/ai-jobs';
import { RequestsRepository } from '../../src/domain/requests/requests.repository';
import { LeadDrain } from '../../src/domain/requests/lead-drain';
import { QueueName } from '../../src/queues/job-catalogue';
import { WorkerModule } from '../../src/worker.module';
import { testEnv } from '../support/test-env';

// Two real worker contexts over one backlog of old rows, their own sweep timers running (every
// second) and their `ai` queues paused locally so the jobs the sweeps add stay countable.
describe('the intake sweeper', () => {
  const env = testEnv({ INTAKE_SWEEP_INTERVAL_MS: '1000', INTAKE_STALE_AFTER_MS: '5000' });
  let workers: INestApplicationContext[] = [];
  let db: DataSource;
  let queue: Queue;
  let installationId: string;

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), {
        logger: false,
      });
      await worker.get<Queue>(getQueueToken(QueueName.Ai)).pause(true);
      workers.push(worker);
    }
    db = workers[0]!.get<DataSource>(getDataSourceToken());
    queue = workers[0]!.get<Queue>(getQueueToken(QueueName.Ai));
    // The sweeper looks at every installation's rows and this counts the whole queue: what files
    // before this one left in the shared test stores (acks left queued on purpose) must go first.
    await db.query(`DELETE FROM ai_requests`);
    await queue.empty();
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO installations (kommo_account_id, subdomain, host, status)
       VALUES (990001, 'sweeper', 'sweeper.kommo.com', 'active') RETURNING id`,
    );
    installationId = rows[0]!.id;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await db.query(`DELETE FROM ai_requests WHERE installation_id = $1`, [installationId]);
    await queue.empty();
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    workers = [];
  });

  /** `perLead` requests for each lead, acknowledged a minute ago (or now) and never enqueued. */
  async function backlog(
    leads: number[],
    perLead: number,
    age = '1 minute',
  ): Promise<Map<number, string>> {
    const oldest = new Map<number, string>();
    for (const lead of leads) {
      for (let n = 0; n < perLead; n += 1) {
        const rows = await db.query<{ id: string }[]>(
          `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status, received_at)
           VALUES ($1, 'chatgpt', 'classic', $2, $3, 'queued', now() - $4::interval)
           RETURNING id`,
          [installationId, lead, `sweep-${lead}-${n}`, age],
        );
        if (n === 0) oldest.set(lead, rows[0]!.id);
      }
    }
    return oldest;
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('adds one job per lead over many sweeps from two workers, and one sweep per interval', async () => {
    const leads = Array.from({ length: 30 }, (_, i) => 5000 + i);
    const stale = workers.map((w) => vi.spyOn(w.get(RequestsRepository), 'stalePending'));
    await backlog(leads, 3);
    await sleep(5_000);

    const waiting = await queue.getWaiting();
    expect(waiting.map((job) => job.id).sort()).toEqual(
      leads.map((lead) => leadJobId(installationId, lead)).sort(),
    );
    // Both timers fire every second (about 10 ticks in 5 s); a turn lasts 0.8 s, so at most 7
    // sweeps ran, and both workers' ticks were needed for none to be lost.
    const sweeps = stale.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    expect(sweeps).toBeGreaterThanOrEqual(4);
    expect(sweeps).toBeLessThanOrEqual(7);
  });

  it('leaves out a lead in work and a lead whose intake job still waits', async () => {
    const [inWork, withIntakeJob, lost] = [6001, 6002, 6003];
    // Fresh rows first, so that no sweep sees them before the scene is set.
    const oldest = await backlog([inWork, withIntakeJob, lost], 2, '0 seconds');
    await workers[1]!.get(AiJobs).drain({
      installationId,
      leadId: withIntakeJob,
      requestId: oldest.get(withIntakeJob)!,
    });
    // Worker 1 answers `inWork` (holds its lead lock) until the gate opens.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let started = false;
    const draining = workers[1]!.get(LeadDrain).drain(installationId, inWork, async (row) => {
      started = true;
      await gate;
      await db.query(`UPDATE ai_requests SET status = 'done' WHERE id = $1`, [row.id]);
    });
    try {
      await vi.waitFor(() => expect(started).toBe(true));
      await db.query(
        `UPDATE ai_requests SET received_at = now() - interval '1 minute' WHERE installation_id = $1`,
        [installationId],
      );
      await sleep(2_500);

      const ids = (await queue.getWaiting()).map((job) => job.id).sort();
      expect(ids).toEqual([oldest.get(withIntakeJob)!, leadJobId(installationId, lost)].sort());
    } finally {
      open();
      await draining;
    }
  });
});
