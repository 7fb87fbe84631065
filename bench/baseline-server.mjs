// The bare baseline of run 1: Fastify (the same version the API uses, no logger, no schema) on
// the same route shape, parsing the same body (JSON with Fastify's parser, a form with Node's
// querystring) and answering 200. Our ack is reported as a fraction of this, same run, same core.
import { createRequire } from 'node:module';
import querystring from 'node:querystring';

const require = createRequire(new URL('../apps/api/package.json', import.meta.url));
const Fastify = require('fastify');

const port = Number(process.env.BASELINE_PORT ?? 0);
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => done(null, querystring.parse(body)),
);

app.post('/:token/handler', (request, reply) => {
  const body = request.body;
  if (body === null || typeof body !== 'object') {
    return reply.code(400).send({ error: 'bad_request' });
  }
  return reply.send({ ok: true, token: request.params.token.length });
});

await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`baseline listening on http://127.0.0.1:${app.server.address().port}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void app.close().then(() => process.exit(0)));
}
