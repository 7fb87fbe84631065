import { expect, test } from '@playwright/test';

test.describe('admin panel', () => {
  test('loads from the API and shows both dependencies up', async ({ page }, testInfo) => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto('/admin/');
    await expect(page.getByRole('heading', { name: 'GPT Bridge admin' })).toBeVisible();
    await expect(page.getByTestId('health-postgres')).toContainText('PostgreSQL: up');
    await expect(page.getByTestId('health-redis')).toContainText('Redis: up');
    await page.screenshot({ path: testInfo.outputPath('admin-status.png') });
    expect(consoleErrors).toEqual([]);
  });
});
