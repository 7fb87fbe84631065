import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

/**
 * A transaction's handle. Services pass it along to repository methods that must join the
 * caller's transaction; only repositories run statements on it.
 */
export type Tx = EntityManager;

/** Opens transactions for services, which hold no DataSource of their own. */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}

// Advisory locks held until the transaction ends; `key` names what they serialise
// (e.g. `quota:<installationId>`). They lock no table row, so they belong to no table's repository.

/** Waits for the lock. */
export async function lockForTransaction(tx: Tx, key: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}

/** Takes the lock if it is free; false when another transaction holds it. */
export async function tryLockForTransaction(tx: Tx, key: string): Promise<boolean> {
  const [row] = await tx.query<{ locked: boolean }[]>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
    [key],
  );
  return row?.locked === true;
}

/** How long any lock wait of this transaction may last before it fails (e.g. `'20s'`). */
export async function setLockTimeout(tx: Tx, timeout: `${number}s`): Promise<void> {
  await tx.query(`SET LOCAL lock_timeout = '${timeout}'`);
}
