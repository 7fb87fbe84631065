import {
  type ProviderSettingsInput,
  ProviderSettingsInputSchema,
  type ProviderSettingsView,
  WebhookKindSchema,
  type WebhookUrlsResponse,
} from '@gpt-bridge/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { ProviderSettingsService } from '../../domain/requests/provider-settings.service';
import { type WebhookKind } from '../../domain/installations/webhook-token';
import { WebhookTokens, type WebhookUrls } from '../../domain/installations/webhook-tokens.service';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

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
  @WidgetAdmin('see the webhook URLs')
  async webhookUrls(@WidgetSession() session: WidgetSessionData): Promise<WebhookUrlsResponse> {
    return toJson(await this.webhooks.urls(session.installation.id));
  }

  /** A new URL for one webhook; the old one stops working at once. */
  @Post('webhooks/:kind/rotate')
  @HttpCode(200)
  @WidgetAdmin('rotate a webhook URL')
  async rotate(
    @WidgetSession() session: WidgetSessionData,
    @Param('kind', new ZodPipe(WebhookKindSchema)) kind: WebhookKind,
  ): Promise<WebhookUrlsResponse> {
    await this.webhooks.rotate(session.installation.id, kind);
    return toJson(await this.webhooks.urls(session.installation.id));
  }

  /** Settings are for administrators, reading included (masked hints tell which keys are set). */
  @Get('providers')
  @WidgetAdmin('see the AI provider settings')
  providerSettings(@WidgetSession() session: WidgetSessionData): Promise<ProviderSettingsView> {
    return this.providers.view(session.installation.id);
  }

  @Put('providers')
  @WidgetAdmin('change the AI provider settings')
  saveProviders(
    @WidgetSession() session: WidgetSessionData,
    @Body(new ZodPipe(ProviderSettingsInputSchema)) input: ProviderSettingsInput,
  ): Promise<ProviderSettingsView> {
    return this.providers.save(session.installation.id, input);
  }
}
