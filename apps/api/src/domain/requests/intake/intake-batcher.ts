import { Injectable } from '@nestjs/common';
import {
  RequestsRepository,
  type TokenIntake,
  type TokenIntakeResult,
} from '../requests.repository';

type Waiting = {
  item: TokenIntake;
  resolve: (result: TokenIntakeResult) => void;
  reject: (error: unknown) => void;
};

// One statement in flight at a time; what arrives meanwhile waits and goes in the next batch.
// Each statement ends in its own WAL flush, and concurrent ones mostly wait on each other's
// (WALWrite/WALSync in pg_stat_activity): at saturation, 4 in flight made batches of about 6
// and 1 makes batches of about 25, for 1.3 times the acks per second (docs/performance.md).
const MAX_IN_FLIGHT = 1;
const MAX_BATCH = 200;

/**
 * Group commit for the ack path: every webhook is still stored and committed before its 200,
 * but webhooks that arrive while a batch is being stored share the next statement and its WAL
 * flush. When nothing is being stored, a webhook goes out at once (a batch of one).
 */
@Injectable()
export class IntakeBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly store: RequestsRepository) {}

  submit(item: TokenIntake): Promise<TokenIntakeResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.flush(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      const results = await this.store.intakeBatch(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
