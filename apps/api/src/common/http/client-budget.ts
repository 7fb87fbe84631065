import { Global, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../errors/app-error';
import { OncePerInterval } from '../logging/once-per-interval';
import { defineScript } from '../redis/redis-script';

/**
 * What one client address may do per minute on the routes anyone can call (docs/architecture.md,
 * "Unauthenticated callers"), far above what a real caller does. `every` routes count each call;
 * `refusals` routes count only the refused ones (a bad token or signature), so Kommo's few shared
 * addresses are never slowed for real webhooks, hooks and widget calls.
 */
export const CLIENT_BUDGETS = {
  'oauth-start': 30,
  health: 300,
  'admin-session': 120,
  'webhook-refusals': 120,
  'chat-event-refusals': 120,
  'uninstall-refusals': 30,
  'widget-api-refusals': 60,
} as const;
export type BudgetedRoute = keyof typeof CLIENT_BUDGETS;

const WINDOW_SEC = 60;
/** Longest a route waits for Redis before answering as if there were no budget. */
const REDIS_WAIT_MS = 100;

/**
 * KEYS: the address's counter for this route. ARGV: limit, window s. Counts the call; returns 0
 * within the budget, else the ms until the window ends. The window starts with the first call
 * (as the sign-in throttle's), and a refused call is not counted, so a flood adds no keys.
 */
const TAKE_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return math.max(redis.call('PTTL', KEYS[1]), 1000)
end
return 0
`;

type TakeCommand = (key: string, limit: number, windowSec: number) => Promise<number>;

/** A 429 in the API's error shape; AllExceptionsFilter adds its Retry-After header. */
export class OverClientBudget extends AppError<'over_client_budget'> {
  declare readonly retryAfterSec: number;

  constructor(retryAfterSec: number) {
    super(
      'over_client_budget',
      'too_many_requests',
      `Too many requests from this address. Try again in ${retryAfterSec} s.`,
      { retryAfterSec },
    );
  }
}

/**
 * Per-address budgets in Redis, shared by every API process, on a connection of its own that
 * fails at once while Redis is down (no offline queue) and gives up after REDIS_WAIT_MS: a budget
 * that cannot be read is no budget (fail open), never a 5xx or a hung route.
 */
@Injectable()
export class ClientBudget implements OnModuleDestroy {
  private readonly logger = new Logger(ClientBudget.name);
  private readonly warnings = new OncePerInterval(60_000);
  private readonly client: Redis;
  private readonly takeCommand: TakeCommand;
  private readonly scale: number;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.scale = config.get('CLIENT_BUDGET_SCALE');
    this.prefix = config.get('REDIS_PREFIX');
    this.client = new Redis(config.get('REDIS_URL'), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_WAIT_MS,
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    // Failures are answered by failing open; an unhandled 'error' event would crash the process.
    this.client.on('error', () => undefined);
    this.takeCommand = defineScript(this.client, 'clientBudgetTake', 1, TAKE_SCRIPT);
  }

  /**
   * Counts one call of `route` from `address`; null within the budget (or when the budget is off
   * or cannot be read), else the seconds to wait.
   */
  async take(route: BudgetedRoute, address: string): Promise<number | null> {
    if (this.scale === 0) return null;
    const limit = Math.max(1, Math.round(CLIENT_BUDGETS[route] * this.scale));
    try {
      const waitMs = await Promise.race([
        this.takeCommand(`${this.prefix}:client-budget:${route}:${address}`, limit, WINDOW_SEC),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no answer in time')), REDIS_WAIT_MS).unref(),
        ),
      ]);
      return waitMs > 0 ? Math.ceil(waitMs / 1000) : null;
    } catch (error) {
      const quiet = this.warnings.take();
      if (quiet !== undefined) {
        this.logger.warn(
          { error: (error as Error).message, quiet },
          'client budgets unreadable (Redis): answering without them',
        );
      }
      return null;
    }
  }

  /** As take(), throwing the 429 when over the budget. */
  async enforce(route: BudgetedRoute, address: string): Promise<void> {
    const retryAfterSec = await this.take(route, address);
    if (retryAfterSec !== null) throw new OverClientBudget(retryAfterSec);
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}

@Global()
@Module({ providers: [ClientBudget], exports: [ClientBudget] })
export class ClientBudgetModule {}
