import {
  ProviderSettingsInputSchema,
  type ProviderSettingsView,
  WEBHOOK_KINDS_CONTRACT,
  type WebhookUrlsResponse,
} from '@gpt-bridge/shared';
import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ProviderSettingsService } from '../../domain/requests/provider-settings.service';
import { WebhookTokens, type WebhookUrls } from '../../domain/installations/webhook-tokens.service';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

function requireAdmin({ claims }: WidgetSessionData, what: string): void {
  if (!claims.isAdmin) throw new ForbiddenException(`Only an account administrator can ${what}`);
}

const toJson = (urls: WebhookUrls[]): WebhookUrlsResponse => ({
  webhooks: urls.map(({ kind, handlerUrl, widgetRequestUrl, rotatedAt }) => ({
    kind,
    handlerUrl,
    widgetRequestUrl,
    rotatedAt: rotatedAt?.toISOString() ?? null,
  })),
});

/** Webhook URLs and provider settings of the token's account. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetSettingsController {
  constructor(
    private readonly webhooks: WebhookTokens,
    private readonly providers: ProviderSettingsService,
  ) {}

  /** Both URLs carry their secret token, so only administrators see them. */
  @Get('webhooks')
  async webhookUrls(@WidgetSession() session: WidgetSessionData): Promise<WebhookUrlsResponse> {
    requireAdmin(session, 'see the webhook URLs');
    return toJson(await this.webhooks.urls(session.installation.id));
  }

  /** A new URL for one webhook; the old one stops working at once. */
  @Post('webhooks/:kind/rotate')
  @HttpCode(200)
  async rotate(
    @WidgetSession() session: WidgetSessionData,
    @Param('kind') kind: string,
  ): Promise<WebhookUrlsResponse> {
    requireAdmin(session, 'rotate a webhook URL');
    const known = WEBHOOK_KINDS_CONTRACT.find((candidate) => candidate === kind);
    if (!known) throw new BadRequestException('kind must be chatgpt or assistant');
    await this.webhooks.rotate(session.installation.id, known);
    return toJson(await this.webhooks.urls(session.installation.id));
  }

  /** Settings are for administrators, reading included (masked hints tell which keys are set). */
  @Get('providers')
  providerSettings(@WidgetSession() session: WidgetSessionData): Promise<ProviderSettingsView> {
    requireAdmin(session, 'see the AI provider settings');
    return this.providers.view(session.installation.id);
  }

  @Put('providers')
  saveProviders(
    @WidgetSession() session: WidgetSessionData,
    @Body() body: unknown,
  ): Promise<ProviderSettingsView> {
    requireAdmin(session, 'change the AI provider settings');
    const parsed = ProviderSettingsInputSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
      );
      throw new BadRequestException({
        error: 'invalid_settings',
        message: problems.join('; '),
        problems,
      });
    }
    return this.providers.save(session.installation.id, parsed.data);
  }
}
