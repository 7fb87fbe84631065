import { type AdminUserView } from '@gpt-bridge/shared';

export const ADMIN_ROLES = ['support', 'admin'] as const;
export type AdminRoleName = (typeof ADMIN_ROLES)[number];

export type { AdminUserView };

export function isAdminRole(value: unknown): value is AdminRoleName {
  return ADMIN_ROLES.includes(value as AdminRoleName);
}

/** Emails are compared lower-cased and trimmed; the unique index sees the same form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
