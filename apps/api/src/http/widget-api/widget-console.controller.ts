import {
  type TestConsoleInput,
  TestConsoleInputSchema,
  type TestConsoleResult,
} from '@gpt-bridge/shared';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { TestConsole } from '../../domain/requests/test-console';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
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
  // It spends the account's provider credits, like the settings only administrators change.
  @WidgetAdmin('use the test console')
  run(
    @WidgetSession() { installation }: WidgetSessionData,
    @Body(new ZodPipe(TestConsoleInputSchema)) input: TestConsoleInput,
  ): Promise<TestConsoleResult> {
    return this.console.run(installation, input);
  }
}
