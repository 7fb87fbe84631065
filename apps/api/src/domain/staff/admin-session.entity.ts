import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed-in admin panel session; the id is the SHA-256 of the cookie's token. */
@Entity({ name: 'admin_sessions' })
export class AdminSession {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Index('ix_admin_sessions_user')
  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  csrfTokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
