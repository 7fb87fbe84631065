// `pnpm admin:create-user [--email a@b.c] [--role admin|support] [--password …]`: creates an admin
// panel user, or sets a new password and role for an existing email. Missing values are asked
// for (the password without echo); ADMIN_PASSWORD supplies it in scripts. Never prints it. It also
// lifts the email's sign-in lockout, so an operator can let a locked-out user back in.
import 'reflect-metadata';
import Redis from 'ioredis';
import { createInterface, type Interface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { ensurePostgres } from '../common/preflight/postgres.preflight';
import { AppError } from '../common/errors/app-error';
import { runOrExit } from '../common/preflight/run-preflight';
import {
  loadAdminPassword,
  loadDatabaseUrl,
  loadDotEnv,
  loadRedisSettings,
} from '../config/load-config';
import { dataSourceOptions } from '../database/data-source-options';
import { runMigrations } from '../database/run-migrations';
import { AdminUser } from '../domain/staff/admin-user.entity';
import { AdminUsersRepository } from '../domain/staff/admin-users.repository';
import { AdminUsersService } from '../domain/staff/admin-users.service';
import { ENTITIES } from '../entities';
import { type AdminRoleName, isAdminRole } from '../domain/staff/admin-user.types';
import { signInLockKey } from '../domain/staff/sign-in-throttle';

/** A mistake in what the user gave: its message is the whole report. */
class UsageError extends AppError<'usage'> {
  constructor(message: string) {
    super('usage', 'invalid_input', message);
  }
}

/**
 * Questions on a terminal (the password without echo), or lines read from a pipe. A pipe is read
 * through one reader: a reader per question would drop the lines the previous one buffered.
 */
class Prompter {
  private piped?: { rl: Interface; lines: AsyncIterator<string> };

  async ask(question: string): Promise<string> {
    if (process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return (await rl.question(question)).trim();
      } finally {
        rl.close();
      }
    }
    return (await this.nextLine(question)).trim();
  }

  askHidden(question: string): Promise<string> {
    if (!process.stdin.isTTY) return this.nextLine(question);
    const stdin = process.stdin;
    process.stdout.write(question);
    return new Promise((resolve, reject) => {
      let value = '';
      stdin.setRawMode(true);
      stdin.resume();
      stdin.setEncoding('utf8');
      const done = (error?: Error) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.removeListener('data', onData);
        process.stdout.write('\n');
        if (error) reject(error);
        else resolve(value);
      };
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n') return done();
          if (char === '\u0003') return done(new UsageError('cancelled'));
          if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
          else value += char;
        }
      };
      stdin.on('data', onData);
    });
  }

  private async nextLine(question: string): Promise<string> {
    process.stdout.write(question);
    if (!this.piped) {
      const rl = createInterface({ input: process.stdin, terminal: false });
      this.piped = { rl, lines: rl[Symbol.asyncIterator]() };
    }
    const next = await this.piped.lines.next();
    process.stdout.write('\n');
    if (next.done) throw new UsageError('the input ended before every answer was given');
    return next.value;
  }

  close(): void {
    this.piped?.rl.close();
  }
}

/**
 * Deletes the email's lockout (docs/architecture.md, "Admin API"). Redis being down does not undo
 * the new password: the lockout then ends by itself, and we say so.
 */
async function clearLockout(email: string): Promise<string> {
  const { REDIS_URL, REDIS_PREFIX } = loadRedisSettings();
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const cleared = await redis.del(signInLockKey(REDIS_PREFIX, email));
    return cleared > 0 ? '; its sign-in lockout is lifted' : '';
  } catch {
    return '; Redis is unreachable, so a sign-in lockout (if any) ends by itself';
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  await runOrExit(async () => {
    const { values } = parseArgs({
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        password: { type: 'string' },
      },
    });
    loadDotEnv();
    const databaseUrl = loadDatabaseUrl();
    const prompter = new Prompter();
    let email: string;
    let role: AdminRoleName;
    let password: string | undefined;
    try {
      email = values.email ?? (await prompter.ask('Email: '));
      const roleInput =
        values.role ?? ((await prompter.ask('Role (admin or support) [admin]: ')) || 'admin');
      if (!isAdminRole(roleInput)) throw new UsageError('role must be admin or support');
      role = roleInput;
      password = values.password ?? loadAdminPassword();
      if (password === undefined) {
        password = await prompter.askHidden('Password (at least 12 characters): ');
        if ((await prompter.askHidden('Password again: ')) !== password) {
          throw new UsageError('the passwords differ');
        }
      }
    } finally {
      prompter.close();
    }

    await ensurePostgres(databaseUrl);
    // The first user is often made on a fresh database, before the first `pnpm start`.
    await runMigrations(databaseUrl);
    const db = new DataSource({ ...dataSourceOptions(databaseUrl, 2), entities: ENTITIES });
    await db.initialize();
    try {
      const users = new AdminUsersService(new AdminUsersRepository(db.getRepository(AdminUser)));
      const { user, created } = await users.upsert({ email, role, password });
      const lockout = await clearLockout(user.email);
      process.stdout.write(
        `${created ? 'created' : 'updated'} ${user.role} ${user.email} (${user.id})${lockout}\n`,
      );
    } finally {
      await db.destroy();
    }
  }).catch((error: unknown) => {
    const message =
      error instanceof AppError ? error.message : String((error as Error)?.message ?? error);
    process.stderr.write(`admin:create-user: ${message}\n`);
    process.exit(1);
  });
}

void main();
