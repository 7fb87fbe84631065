import { type LeadFieldKey } from '@gpt-bridge/shared';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintNumber } from '../../database/column-transformers';

/** A lead custom field we provisioned in the account, found again by its `code`. */
@Entity({ name: 'installation_fields' })
export class InstallationField {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  installationId: string;

  @Column({ type: 'text' })
  key: LeadFieldKey;

  @Column({ type: 'bigint', transformer: bigintNumber })
  kommoFieldId: number;

  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  type: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
