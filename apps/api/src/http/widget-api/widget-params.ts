import { z } from 'zod';

/** A Kommo lead id in a widget route's path: digits only, so `1e3` or `-1` are a 400, not a lead. */
export const LeadIdParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be a positive whole number'));
