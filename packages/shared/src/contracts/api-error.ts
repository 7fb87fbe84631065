import { z } from 'zod';

/** Every error our HTTP API answers with has this shape. */
export const ApiErrorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  /** What went wrong, for programs (e.g. `plan_not_found`); the message is for people. */
  code: z.string().optional(),
  message: z.string(),
  requestId: z.string().optional(),
});

export type ApiError = z.infer<typeof ApiErrorSchema>;
