import { HealthResponseSchema } from '@gpt-bridge/shared';
import { expect, test } from '@playwright/test';

test.describe('GET /health', () => {
  test('reports PostgreSQL and Redis up, with a request id', async ({ request }) => {
    const response = await request.get('/health', { headers: { 'x-request-id': 'e2e-check-1' } });
    expect(response.status()).toBe(200);
    expect(response.headers()['x-request-id']).toBe('e2e-check-1');
    const body = HealthResponseSchema.parse(await response.json());
    expect(body.details.postgres?.status).toBe('up');
    expect(body.details.redis?.status).toBe('up');
  });
});
