import { getQueueToken } from '@nestjs/bull';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type Queue } from 'bull';
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestParams } from '../../src/domain/requests/ai-request.types';
import { INTAKE_PREPARE_SQL, intakeExecuteSql } from '../../src/domain/requests/intake-batch-sql';
import {
  RequestsRepository,
  type TokenIntake,
} from '../../src/domain/requests/requests.repository';
import { QueueName } from '../../src/queues/job-catalogue';
import { WorkerModule } from '../../src/worker.module';
import { createMigratedDatabase, dropTestDatabase } from '../support/test-database';
import { TEST_DATABASE_URL, testEnv } from '../support/test-env';

// The batched ack's SQL (intake-batch-sql.ts) against real PostgreSQL: the dedupe rule inside one
// batch and against the table, the params the Assistant webhook drops, arrival order, and twins
// arriving in two batches at once (two API processes) while their key's lock is held elsewhere;
// and the statements prepared per connection, on a connection that replaces a dropped one.
describe('the set-based intake of a batch', () => {
  let context: INestApplicationContext;
  let db: DataSource;
  let store: RequestsRepository;
  let installationId: string;
  const hash = (token: string) => createHash('sha256').update(token).digest();
  const tokens = { chatgpt: randomUUID(), assistant: randomUUID(), pending: randomUUID() };

  const item = (
    token: keyof typeof tokens | 'unknown',
    deliveryKey: string,
    leadId: number,
    params: RequestParams = {},
  ): TokenIntake => ({
    tokenHash: hash(token === 'unknown' ? randomUUID() : tokens[token]),
    mode: 'classic',
    leadId,
    deliveryKey,
    params,
    dedupeWindowSeconds: 600,
  });

  const rowsOf = (ids: string[]) =>
    db.query<{ id: string; seq: string; status: string; kind: string; params: RequestParams }[]>(
      `SELECT id, seq, status, kind, params FROM ai_requests WHERE id = ANY($1::uuid[]) ORDER BY seq`,
      [ids],
    );

  beforeAll(async () => {
    context = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(testEnv({ INTAKE_SWEEP_INTERVAL_MS: '3600000' })),
      { logger: false },
    );
    await context.get<Queue>(getQueueToken(QueueName.Ai)).pause(true);
    db = context.get<DataSource>(getDataSourceToken());
    store = context.get(RequestsRepository);
    const account = 990_100 + Math.floor(Math.random() * 1000);
    const [active] = await db.query<{ id: string }[]>(
      `INSERT INTO installations (kommo_account_id, subdomain, host, status)
       VALUES ($1, 'intakebatch', 'intakebatch.kommo.com', 'active') RETURNING id`,
      [account],
    );
    const [pending] = await db.query<{ id: string }[]>(
      `INSERT INTO installations (kommo_account_id, subdomain, host, status)
       VALUES ($1, 'intakebatchp', 'intakebatchp.kommo.com', 'pending') RETURNING id`,
      [account + 5000],
    );
    installationId = active!.id;
    await db.query(
      `INSERT INTO webhook_tokens (installation_id, kind, token_hash, token_enc)
       VALUES ($1, 'chatgpt', $2, 'x'), ($1, 'assistant', $3, 'x'), ($4, 'chatgpt', $5, 'x')`,
      [
        installationId,
        hash(tokens.chatgpt),
        hash(tokens.assistant),
        pending!.id,
        hash(tokens.pending),
      ],
    );
  });

  afterAll(async () => {
    await db?.query(`DELETE FROM installations WHERE subdomain LIKE 'intakebatch%'`);
    await context?.close();
  });

  it('collapses twins within one batch by the dedupe rule and stores in arrival order', async () => {
    const results = await store.intakeBatch([
      item('chatgpt', 'body:aaa', 1),
      item('chatgpt', 'body:aaa', 1),
      item('chatgpt', 'idem:k1', 2),
      // An explicit key is one delivery whichever webhook or lead it names.
      item('assistant', 'idem:k1', 3),
      // A content key collapses only into the same webhook's waiting request for the same lead.
      item('assistant', 'body:aaa', 1),
      item('chatgpt', 'body:aaa', 4),
      item('unknown', 'body:zzz', 5),
      item('pending', 'body:yyy', 6),
      item('assistant', 'body:bbb', 7, {
        model: 'gpt-4o',
        tokens: 50,
        leadFields: { '1': 'kept' },
      }),
    ]);
    const [a, aTwin, k1, k1Twin, aAssistant, aOtherLead, unknown, pending, stripped] = results;
    expect(a).toMatchObject({
      installationId,
      kind: 'chatgpt',
      status: 'active',
      duplicateOf: null,
    });
    expect(aTwin).toMatchObject({ duplicateOf: a!.requestId });
    expect(k1).toMatchObject({ duplicateOf: null });
    expect(k1Twin).toMatchObject({ kind: 'assistant', duplicateOf: k1!.requestId });
    expect(aAssistant).toMatchObject({ kind: 'assistant', duplicateOf: null });
    expect(aOtherLead).toMatchObject({ duplicateOf: null });
    expect(unknown).toEqual({
      installationId: null,
      kind: null,
      status: null,
      requestId: null,
      duplicateOf: null,
    });
    expect(pending).toMatchObject({ status: 'pending', requestId: null });
    expect(stripped).toMatchObject({ duplicateOf: null });

    const stored = results.filter((r) => r.requestId !== null).map((r) => r.requestId!);
    expect(new Set(stored).size).toBe(stored.length);
    const rows = await rowsOf(stored);
    // seq follows the batch's order, whatever the keys.
    expect(rows.map((r) => r.id)).toEqual(stored);
    expect(rows.map((r) => r.status)).toEqual([
      'queued',
      'duplicate',
      'queued',
      'duplicate',
      'queued',
      'queued',
      'queued',
    ]);
    expect(rows.at(-1)!.params).toEqual({ leadFields: { '1': 'kept' } });
  });

  it('collapses into a waiting twin in the table, and a content key no longer once it is taken', async () => {
    const [first] = await store.intakeBatch([item('chatgpt', 'body:ccc', 10)]);
    const [again, keyed] = await store.intakeBatch([
      item('chatgpt', 'body:ccc', 10),
      item('chatgpt', 'idem:k1', 11),
    ]);
    expect(again!.duplicateOf).toBe(first!.requestId);
    const [k1] = await db.query<{ id: string }[]>(
      `SELECT id FROM ai_requests WHERE installation_id = $1 AND delivery_key = 'idem:k1'
          AND duplicate_of IS NULL`,
      [installationId],
    );
    expect(keyed!.duplicateOf).toBe(k1!.id);

    await db.query(`UPDATE ai_requests SET status = 'processing' WHERE id = $1`, [
      first!.requestId,
    ]);
    const [later] = await store.intakeBatch([item('chatgpt', 'body:ccc', 10)]);
    expect(later!.duplicateOf).toBeNull();
  });

  it('sees a twin that another batch committed while this one waited for the lock', async () => {
    for (let round = 0; round < 5; round += 1) {
      const key = `idem:race-${round}-${randomUUID()}`;
      // Another transaction holds the key's lock, so both batches start before either can store.
      const holder = db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `${installationId}:${key}`,
      ]);
      const both = Promise.all([
        store.intakeBatch([item('chatgpt', key, 20)]),
        store.intakeBatch([item('chatgpt', key, 20)]),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await holder.commitTransaction();
      await holder.release();
      const [[one], [two]] = await both;
      const stored = [one, two].filter((r) => r!.duplicateOf === null);
      expect(stored).toHaveLength(1);
      const twin = [one, two].find((r) => r!.duplicateOf !== null);
      expect(twin!.duplicateOf).toBe(stored[0]!.requestId);
    }
  });

  it('prepares its statements again on the connection that replaces one PostgreSQL dropped', async () => {
    const [first] = await store.intakeBatch([item('chatgpt', `idem:${randomUUID()}`, 30)]);
    expect(first!.requestId).not.toBeNull();
    // Every connection that ran an intake goes, with the statements prepared on it.
    const [terminated] = await db.query<{ dropped: number }[]>(
      `SELECT count(pg_terminate_backend(pid))::int AS dropped FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND query LIKE '%gb_intake_batch%'`,
    );
    expect(terminated!.dropped).toBeGreaterThan(0);
    // The pool learns of the drop from the connection's error event.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [next] = await store.intakeBatch([item('chatgpt', `idem:${randomUUID()}`, 31)]);
    expect(next!.requestId).not.toBeNull();
    expect(await rowsOf([next!.requestId!])).toHaveLength(1);
  });
});

// A prepared statement keeps the plan made on the table of its time: on a new database, that is a
// near-empty ai_requests (intake-batch-sql.ts, the note above statement 2).
describe('the intake statements, prepared on an empty table', () => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/gpt_bridge_plan_${process.pid}`;
  let client: Client;

  beforeAll(async () => {
    await createMigratedDatabase(url.toString());
    client = new Client({ connectionString: url.toString() });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await dropTestDatabase(url.toString());
  });

  /** The dedupe lookup's scan (`ai_requests r`) in the statement's plan, run and rolled back. */
  const lookupScan = async (batch: string): Promise<PlanNode | undefined> => {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE gb_intake_batch(${batch})`,
      );
      const find = (node: PlanNode): PlanNode | undefined =>
        node['Relation Name'] === 'ai_requests' && node.Alias === 'r'
          ? node
          : (node.Plans ?? []).map(find).find(Boolean);
      return find(rows[0]!['QUERY PLAN'][0]!.Plan);
    } finally {
      await client.query('ROLLBACK');
    }
  };

  it("keeps reading the delivery key's index as the account's rows grow", async () => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO installations (kommo_account_id, subdomain, host, status)
       VALUES (1, 'plan', 'plan.kommo.com', 'active') RETURNING id`,
    );
    const installationId = rows[0]!.id;
    const tokenHash = createHash('sha256').update('plan').digest('hex');
    await client.query(
      `INSERT INTO webhook_tokens (installation_id, kind, token_hash, token_enc)
       VALUES ($1, 'chatgpt', decode($2, 'hex'), 'unused')`,
      [installationId, tokenHash],
    );
    const batch = (tag: string) =>
      client.escapeLiteral(
        JSON.stringify(
          [1, 2].map((n) => ({
            h: tokenHash,
            m: 'classic',
            l: n,
            k: `body:${tag}-${n}`,
            p: {},
            w: 600,
          })),
        ),
      );
    // As RequestsRepository runs them on one connection: past five custom plans PostgreSQL keeps
    // a generic one, made here while the table holds a few rows.
    await client.query(INTAKE_PREPARE_SQL);
    for (let run = 0; run < 8; run++) await client.query(intakeExecuteSql(batch(`warm${run}`)));
    // One busy account's window: 20,000 earlier deliveries, none with the keys looked up below.
    await client.query(
      `INSERT INTO ai_requests (installation_id, kind, mode, lead_id, delivery_key, status)
       SELECT $1, 'chatgpt', 'classic', n, 'body:grown-' || n, 'queued'
         FROM generate_series(1, 20000) n`,
      [installationId],
    );
    const scan = await lookupScan(batch('looked-up'));
    expect(scan?.['Index Name']).toBe('ix_ai_requests_delivery_key');
    // The key bounds the scan: no row of the account's window is read and thrown away.
    expect(scan?.['Rows Removed by Filter'] ?? 0).toBe(0);
    expect(scan?.['Index Cond']).toMatch(/delivery_key = a\.key/);
  });
});

type PlanNode = {
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
};
