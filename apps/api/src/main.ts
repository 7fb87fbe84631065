import 'reflect-metadata';
import { prepare } from './bootstrap/prepare';
import { createHttpApp } from './bootstrap/create-http-app';

async function main(): Promise<void> {
  const env = await prepare();
  const app = await createHttpApp(env);
  await app.listen({ host: env.HOST, port: env.PORT });
}

void main();
