import { TestConsoleInputSchema, type TestConsoleResult } from '@gpt-bridge/shared';
import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Post,
  UseGuards,
} from '@nestjs/common';
import { TestConsole } from '../../domain/requests/test-console';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/** The widget's test console: a prompt answered with the account's own provider settings. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetConsoleController {
  constructor(private readonly console: TestConsole) {}

  /** 200 with `ok: false` when the provider failed: that is the console's answer, not ours. */
  @Post('test-console')
  @HttpCode(200)
  run(
    @WidgetSession() { installation, claims }: WidgetSessionData,
    @Body() body: unknown,
  ): Promise<TestConsoleResult> {
    // It spends the account's provider credits, like the settings only administrators change.
    if (!claims.isAdmin) {
      throw new ForbiddenException('Only an account administrator can use the test console');
    }
    const parsed = TestConsoleInputSchema.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({
        error: 'invalid_prompt',
        message: parsed.error.issues.map((issue) => issue.message).join('; '),
      });
    }
    return this.console.run(installation, parsed.data);
  }
}
