import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/column-transformers';

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
}
