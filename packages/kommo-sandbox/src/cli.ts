// `pnpm sandbox`: a local Kommo for development, tests and demos.
import { buildSandbox } from './server.js';

const port = Number(process.env.SANDBOX_PORT ?? 4000);
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';

const { app } = buildSandbox({ logger: false });
await app.listen({ port, host });
const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
process.stdout.write(
  [
    `Kommo sandbox listening on ${base}`,
    `  chat page:    ${base}/_sandbox/chat`,
    `  widget host:  ${base}/_sandbox/widget-host`,
    `  control API:  ${base}/_sandbox/`,
    `  Kommo API:    ${base}/a/{subdomain}/api/v4/...`,
    `  AI fakes:     ${base}/openai/v1  ${base}/dify/v1  ${base}/chatbase/api`,
    '',
  ].join('\n'),
);
