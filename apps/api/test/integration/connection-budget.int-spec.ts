import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { WorkerModule } from '../../src/worker.module';
import { testEnv } from '../support/test-env';

/** Records what the app's own loggers say. */
function recorder(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  const text = (message: unknown) =>
    typeof message === 'string' ? message : JSON.stringify(message);
  return {
    warnings,
    log: () => undefined,
    error: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    warn: (message: unknown) => void warnings.push(text(message)),
  };
}

// The boot-time check against this machine's PostgreSQL (max_connections 100 by default).
describe('connection budget at start', () => {
  const start = async (vars: Record<string, string>) => {
    const logger = recorder();
    const context = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(testEnv({ INTAKE_SWEEP_INTERVAL_MS: '3600000', ...vars })),
      { logger, abortOnError: false },
    );
    await context.init();
    await context.close();
    return logger.warnings.filter((w) => w.includes('PostgreSQL connections'));
  };

  it('warns a worker that may open more connections than PostgreSQL allows', async () => {
    const warnings = await start({ DATABASE_POOL_SIZE: '200', AI_WORKER_CONCURRENCY: '200' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'up to 400 PostgreSQL connections (DATABASE_POOL_SIZE + AI_WORKER_CONCURRENCY)',
    );
  });

  it('stays quiet for the test configuration', async () => {
    expect(await start({})).toEqual([]);
  });
});
