import { Client } from 'pg';
import {
  describeNetworkError,
  isTransient,
  PreflightError,
  UnreachableError,
} from './preflight.errors';

const CONNECT_TIMEOUT_MS = 5_000;

function target(url: URL): string {
  return `${url.hostname}:${url.port || '5432'}`;
}

function databaseName(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
}

async function tryConnect(connectionString: string): Promise<Client> {
  const client = new Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // pg emits 'error' on the client for a dropped socket; handled by the caller's try/catch.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Makes sure PostgreSQL answers at DATABASE_URL and that the database exists, creating it when
 * it does not (a fresh machine has only the default databases).
 */
export async function ensurePostgres(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = databaseName(url);
  try {
    const client = await tryConnect(databaseUrl);
    await client.end();
    return;
  } catch (error) {
    // 3D000: invalid_catalog_name, the database does not exist yet.
    if ((error as { code?: string }).code !== '3D000') {
      const Failure = isTransient(error) ? UnreachableError : PreflightError;
      throw new Failure(
        `PostgreSQL is not reachable at ${target(url)} (${describeNetworkError(error)}). Start it (local: pg_ctlcluster <version> main start; ` +
          `Docker: docker compose -f docker/compose.yml up -d postgres) or fix DATABASE_URL.`,
      );
    }
  }
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = await tryConnect(adminUrl.toString()).catch((error: unknown) => {
    throw new PreflightError(
      `Database "${name}" does not exist and PostgreSQL at ${target(url)} refused the connection needed to create it (${describeNetworkError(error)}).`,
    );
  });
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // 42P04: duplicate_database, another process created it in between.
    if ((error as { code?: string }).code !== '42P04') {
      throw new PreflightError(
        `Database "${name}" does not exist at ${target(url)} and could not be created: ${describeNetworkError(error)}.`,
      );
    }
  } finally {
    await admin.end();
  }
}
