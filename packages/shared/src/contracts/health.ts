import { z } from 'zod';

const HealthCheckSchema = z
  .object({ status: z.enum(['up', 'down']), message: z.string().optional() })
  .passthrough();

/** The body of `GET /health`: 200 when every check is up, 503 naming what is down. */
export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'error', 'shutting_down']),
  info: z.record(z.string(), HealthCheckSchema).optional(),
  error: z.record(z.string(), HealthCheckSchema).optional(),
  details: z.record(z.string(), HealthCheckSchema),
});

export type HealthResponse = z.infer<typeof HealthResponseSchema>;
