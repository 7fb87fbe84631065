import { WebhookKindSchema } from '@gpt-bridge/shared';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  Param,
  UseGuards,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllExceptionsFilter } from '../../common/http/all-exceptions.filter';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { type Installation } from '../../domain/installations/installation.entity';
import { WidgetAdmin } from './widget-admin.decorator';
import { WidgetAdminGuard } from './widget-admin.guard';
import { type WidgetRequest } from './widget-session';

/**
 * Stands in for WidgetAuthGuard (tested against real tokens in widget-auth.int-spec.ts): the
 * caller's rights come from a header, so these tests are about @WidgetAdmin() alone.
 */
@Injectable()
class HeaderSessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const isAdmin = request.headers['x-test-admin'] === 'yes';
    request.widgetSession = {
      installation: { id: 'installation-1' } as Installation,
      claims: { accountId: 1, userId: 2, isAdmin, subdomain: 'acme' },
    };
    return true;
  }
}

@Controller('guarded')
@UseGuards(HeaderSessionGuard)
class GuardedController {
  @Get('secret')
  @WidgetAdmin('read the secret')
  secret() {
    return { secret: 'only for administrators' };
  }

  @Get('kinds/:kind')
  @WidgetAdmin('pick a kind')
  kind(@Param('kind', new ZodPipe(WebhookKindSchema)) kind: string) {
    return { kind };
  }

  @Get('open')
  open() {
    return { open: true };
  }
}

@Controller('unguarded')
class UnguardedController {
  @Get()
  @WidgetAdmin('do without a session')
  route() {
    return { reached: true };
  }
}

describe('@WidgetAdmin()', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      controllers: [GuardedController, UnguardedController],
      providers: [HeaderSessionGuard, WidgetAdminGuard],
    }).compile();
    app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    app.useGlobalFilters(new AllExceptionsFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const get = async (url: string, admin: boolean) => {
    const response = await app.inject({ url, headers: admin ? { 'x-test-admin': 'yes' } : {} });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };

  it('lets an account administrator through', async () => {
    expect(await get('/guarded/secret', true)).toEqual({
      status: 200,
      body: { secret: 'only for administrators' },
    });
  });

  it('answers anyone else 403 with what the route does, and runs nothing of it', async () => {
    const refused = await get('/guarded/secret', false);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      statusCode: 403,
      error: 'FORBIDDEN',
      message: 'Only an account administrator can read the secret',
    });
    expect(JSON.stringify(refused.body)).not.toContain('only for administrators');
  });

  it('refuses before the input is parsed: a non-admin never learns what input is valid', async () => {
    const refused = await get('/guarded/kinds/other', false);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('Only an account administrator can pick a kind');
    const invalid = await get('/guarded/kinds/other', true);
    expect(invalid).toMatchObject({
      status: 400,
      body: {
        statusCode: 400,
        code: 'invalid_input',
        message: 'kind: must be chatgpt or assistant',
        problems: ['kind: must be chatgpt or assistant'],
      },
    });
    expect((await get('/guarded/kinds/chatgpt', true)).body).toEqual({ kind: 'chatgpt' });
  });

  it('leaves routes without it alone', async () => {
    expect((await get('/guarded/open', false)).status).toBe(200);
  });

  it('fails loudly (500, not a 403) on a route that has no widget session', async () => {
    expect((await get('/unguarded', true)).status).toBe(500);
  });
});
