import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { ADMIN_ROLES } from '../../domain/staff/admin-user.types';

// Request bodies of the admin API; the SPA slice may move them to packages/shared.
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

/** Parses a body or answers 400 with one readable line per problem (values never echoed). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
  );
  throw new BadRequestException(problems.join('; '));
}

/** A Kommo lead id from a path: digits only, a positive number that fits (else 400). */
export function parseLeadId(value: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : 0;
  if (id < 1) throw new BadRequestException('the lead id must be a positive whole number');
  return id;
}
