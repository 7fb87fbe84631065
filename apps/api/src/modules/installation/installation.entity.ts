import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type InstallationStatus = 'pending' | 'active' | 'auth_failed' | 'disabled';

/** One Kommo account that installed the widget. */
@Entity({ name: 'installations' })
export class Installation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // bigint comes back from pg as a string; Kommo account ids fit in a JS number.
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  kommoAccountId: number;

  @Column({ type: 'text' })
  subdomain: string;

  @Column({ type: 'text' })
  host: string;

  @Column({ type: 'text', default: 'pending' })
  status: InstallationStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
