import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, numericNumber } from '../../database/column-transformers';

/** Counted requests per account-local day and kind (written when a request is counted). */
@Entity({ name: 'usage_daily' })
export class UsageDaily {
  @PrimaryColumn({ type: 'uuid' })
  installationId: string;

  /** `YYYY-MM-DD` in the account's time zone (pg returns a date column as text). */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @PrimaryColumn({ type: 'text' })
  kind: 'chatgpt' | 'assistant';

  @Column({ type: 'integer', default: 0 })
  requests: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  tokens: number;

  /** Estimated cost of the day's counted requests (USD). */
  @Column({ type: 'numeric', precision: 18, scale: 9, default: 0, transformer: numericNumber })
  costUsd: number;
}
