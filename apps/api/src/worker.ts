import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { prepare } from './bootstrap/prepare';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const env = await prepare();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), {
    bufferLogs: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // Closing the context lets Bull finish the job in hand before the process exits.
  app.enableShutdownHooks();
  await app.init();
  logger.log('worker started');
}

void main();
