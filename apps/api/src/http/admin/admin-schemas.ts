import { AI_REQUEST_STATUSES, WebhookKindSchema } from '@gpt-bridge/shared';
import { z } from 'zod';
import { ADMIN_ROLES } from '../../domain/staff/admin-user.types';

// Inputs of the admin API, parsed by ZodPipe; the SPA slice may move the bodies to packages/shared.
export const LoginBody = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export const AssignPlanBody = z.object({
  planId: z.string().min(1).max(64),
  monthlyRequestsOverride: z.number().int().min(0).nullable().default(null),
  leadDailyCap: z.number().int().min(1).nullable().default(null),
});

export const EditPlanBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    monthlyRequests: z.number().int().min(0).optional(),
  })
  .refine((v) => v.name !== undefined || v.monthlyRequests !== undefined, {
    message: 'give a name or monthlyRequests',
  });

export const CreateUserBody = z.object({
  email: z.string().min(3).max(320),
  role: z.enum(ADMIN_ROLES),
  password: z.string().min(1).max(256),
});

export const ChangeRoleBody = z.object({ role: z.enum(ADMIN_ROLES) });

/** A Kommo lead id from a path: digits only, a positive number that fits. */
export const LeadIdParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be a positive whole number'));

// The panel leaves an empty filter out, but `?status=` has always meant "any": keep it so.
const filter = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

// As before: a limit that is not a number (or 0) means the default; the services clamp the rest.
const limit = z
  .string()
  .optional()
  .transform((value) => (value === undefined ? undefined : Number(value) || undefined));

const instant = z
  .string()
  .refine((value) => !Number.isNaN(new Date(value).getTime()), 'must be an ISO date');

/** `GET /admin/api/requests?account=&kind=&status=&from=&to=&limit=`. */
export const RequestsQuery = z.object({
  account: z.string().optional(),
  kind: filter(WebhookKindSchema),
  status: filter(
    z.enum(AI_REQUEST_STATUSES, { error: `must be one of ${AI_REQUEST_STATUSES.join(', ')}` }),
  ),
  from: filter(instant),
  to: filter(instant),
  limit,
});

/** `GET /admin/api/audit?target=&limit=`. */
export const AuditQuery = z.object({ target: filter(z.string()), limit });

/** `GET /admin/api/accounts?q=`. */
export const AccountsQuery = z.object({ q: z.string().optional() });
