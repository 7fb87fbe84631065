import { type AiRequestStatus, type StoredErrorClass } from '@gpt-bridge/shared';
import { Column, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';
import { type RawRow } from '../../database/raw-row';
import { bigintNumber, nullableBigint, nullableNumeric } from '../../database/column-transformers';
import { type WebhookKind } from '../installations/webhook-token';
import { type RequestMode, type RequestParams } from './ai-request.types';

/**
 * One webhook call we acknowledged (or refused after its token matched), from intake to its
 * answer in Kommo: the inbox the worker drains, the LOG of the widget and the admin panel.
 */
@Entity({ name: 'ai_requests' })
export class AiRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Arrival order: a lead's requests are answered by it. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  @Generated('increment')
  seq: number;

  @Column({ type: 'uuid' })
  installationId: string;

  @Column({ type: 'text' })
  kind: WebhookKind;

  @Column({ type: 'text' })
  mode: RequestMode;

  /** Null only on a refused request whose body named no lead. */
  @Column({ type: 'bigint', nullable: true, transformer: nullableBigint })
  leadId: number | null;

  /** What makes a repeated delivery a duplicate within the dedupe window. */
  @Column({ type: 'text' })
  deliveryKey: string;

  @Column({ type: 'uuid', nullable: true })
  duplicateOf: string | null;

  @Column({ type: 'text' })
  status: AiRequestStatus;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params: RequestParams;

  @Column({ type: 'text', nullable: true })
  provider: string | null;

  @Column({ type: 'text', nullable: true })
  model: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'integer', nullable: true })
  latencyMs: number | null;

  @Column({ type: 'integer', nullable: true })
  inputTokens: number | null;

  @Column({ type: 'integer', nullable: true })
  outputTokens: number | null;

  @Column({ type: 'integer', nullable: true })
  totalTokens: number | null;

  @Column({ type: 'boolean', default: false })
  reachedProvider: boolean;

  /** Fill ON_OFF so the template stops (quota, account disabled). */
  @Column({ type: 'boolean', default: false })
  stopBot: boolean;

  @Column({ type: 'text', nullable: true })
  errorClass: StoredErrorClass | null;

  @Column({ type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ type: 'text', nullable: true })
  logLine: string | null;

  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Passed the quota check and holds its place until counted or failed. */
  @Column({ type: 'boolean', default: false })
  quotaPassed: boolean;

  /** The account-local day usage counted it on; null until counted. */
  @Column({ type: 'date', nullable: true })
  countedOn: string | null;

  @Column({ type: 'uuid', nullable: true })
  replayOf: string | null;

  /** Starts of the provider step: more than one is a re-ask after a crash. */
  @Column({ type: 'integer', default: 0 })
  providerAsks: number;

  /** When retention (or a lead erase) removed the customer texts. */
  @Column({ type: 'timestamptz', nullable: true })
  textsRemovedAt: Date | null;

  /** The answer was read back from the provider's record of an earlier ask. */
  @Column({ type: 'boolean', default: false })
  answerRecovered: boolean;

  /** The prompt as sent to the provider (customer text: retention removes it). */
  @Column({ type: 'text', nullable: true })
  promptText: string | null;

  /** Turns of stored history sent with the prompt; null = no prompt was sent. */
  @Column({ type: 'integer', nullable: true })
  promptMemoryMessages: number | null;

  /** Media kinds sent with the prompt (`image`, `audio`). */
  @Column({ type: 'text', array: true, nullable: true })
  promptMedia: string[] | null;

  /** Estimated from the price table when answered (domain/plans/model-prices.ts). */
  @Column({
    type: 'numeric',
    precision: 18,
    scale: 9,
    nullable: true,
    transformer: nullableNumeric,
  })
  costUsd: number | null;
}

/** Columns pg returns in another type than the entity: int8 as text, a date as a Date. */
type Wire = {
  seq: string;
  leadId: string | null;
  countedOn: Date | null;
  costUsd: string | null;
};

/** The raw SQL row of `ai_requests` columns `K`, by column name (`lead_id`). */
export type AiRequestColumns<K extends keyof AiRequest> = RawRow<AiRequest, K, Wire>;

/** A request as the worker and the LOG see it; it always has a lead (only refusals lack one). */
export type AiRequestRow = Pick<
  AiRequest,
  | 'id'
  | 'seq'
  | 'installationId'
  | 'kind'
  | 'mode'
  | 'status'
  | 'params'
  | 'attempts'
  | 'provider'
  | 'model'
  | 'answer'
  | 'logLine'
  | 'errorClass'
  | 'errorMessage'
  | 'reachedProvider'
  | 'stopBot'
  | 'receivedAt'
> & { leadId: number };
