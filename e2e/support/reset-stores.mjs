// Drops the e2e database and the e2e Redis db before the API starts, so every run begins empty
// (the sandbox forgets its accounts when it stops; rows of an earlier run would point at them).
// Refuses any database whose name does not say e2e.
import { createRequire } from 'node:module';

const apiRequire = createRequire(new URL('../../apps/api/package.json', import.meta.url));
const pg = apiRequire('pg');
const IORedis = apiRequire('ioredis');

const databaseUrl = new URL(process.env.DATABASE_URL);
const name = decodeURIComponent(databaseUrl.pathname.slice(1));
if (!/e2e/.test(name)) throw new Error(`refusing to drop ${name}: not an e2e database`);
databaseUrl.pathname = '/postgres';
const client = new pg.Client({ connectionString: databaseUrl.toString() });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
await client.end();

const redis = new (IORedis.default ?? IORedis)(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
let cursor = '0';
do {
  const [next, keys] = await redis.scan(
    cursor,
    'MATCH',
    `${process.env.REDIS_PREFIX}:*`,
    'COUNT',
    1000,
  );
  cursor = next;
  if (keys.length > 0) await redis.unlink(...keys);
} while (cursor !== '0');
redis.disconnect();
