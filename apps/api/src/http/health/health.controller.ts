import { Controller, Get, Req } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ClientBudget } from '../../common/http/client-budget';
import { RedisHealthIndicator } from './redis.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly clientBudget: ClientBudget,
  ) {}

  // 200 with both checks when all is well; terminus answers 503 naming what is down. Each call
  // pings both stores, so an address has a budget (a load balancer probes every few seconds).
  @Get()
  @HealthCheck()
  async check(@Req() request: FastifyRequest) {
    await this.clientBudget.enforce('health', request.ip);
    return this.health.check([
      () => this.postgres.pingCheck('postgres', { timeout: 1_500 }),
      () => this.redis.check('redis'),
    ]);
  }
}
