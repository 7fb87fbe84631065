export const ADMIN_ROLES = ['support', 'admin'] as const;
export type AdminRoleName = (typeof ADMIN_ROLES)[number];

/** What any response may show of a user: never the hash. */
export type AdminUserView = {
  id: string;
  email: string;
  role: AdminRoleName;
  createdAt: string;
  lastLoginAt: string | null;
  lockedUntil: string | null;
};

export function isAdminRole(value: unknown): value is AdminRoleName {
  return ADMIN_ROLES.includes(value as AdminRoleName);
}

/** Emails are compared lower-cased and trimmed; the unique index sees the same form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
