import { type ExtractionItem, type ExtractionRule } from '@gpt-bridge/shared';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * An account's extraction profile: the items the ChatGPT webhook's `?extract=<name>` asks the
 * model for (each into one of the account's lead fields) and the rules that act on them.
 */
@Entity({ name: 'extraction_profiles' })
export class ExtractionProfile {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  installationId: string;

  /** The URL's `?extract=` value; unique per installation. */
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb' })
  items: ExtractionItem[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  rules: ExtractionRule[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
