import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { AppConfig } from '../../config/app-config';
import { BotEchoes } from './bot-echoes';
import { BadChatEventBody, isTeamMessage, parseChatEventBody } from './chat-event-body';
import { handbackLine } from './handback';
import { HandoffSettingsService } from './handoff-settings.service';
import { LeadPauses } from './lead-pauses.service';

export type ChatEventRequest = { token: string; rawBody: Buffer; contentType: string | undefined };

export type ChatEventResult = {
  status: 200 | 400 | 404 | 415;
  body: Record<string, unknown>;
};

// Kommo retries a failed delivery up to about 1 h 35 min later with the same message id (our
// reading, §8.1.3); a day covers that and double subscriptions.
const SEEN_TTL_SEC = 24 * 3600;

const refused = (status: 400 | 415, message: string): ChatEventResult => ({
  status,
  body: { error: status === 415 ? 'unsupported_media_type' : 'bad_body', message },
});

/**
 * Kommo's account webhook for one installation (docs/kommo-contract.md §8.1.3): find the token's
 * installation, check the account, and pause the lead when a person of the team wrote (§8.4). All
 * of it is a few indexed statements and Redis calls, done before the 200: Kommo wants the answer
 * within 2 s, and nothing here calls Kommo or a provider. A request in flight for the lead sees the
 * pause before it delivers (the AI pipeline checks it).
 */
@Injectable()
export class ChatEventIntake {
  private readonly logger = new Logger(ChatEventIntake.name);

  constructor(
    private readonly settings: HandoffSettingsService,
    private readonly pauses: LeadPauses,
    private readonly echoes: BotEchoes,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async receive(request: ChatEventRequest): Promise<ChatEventResult> {
    const owner = await this.settings.lookup(request.token);
    if (!owner) return { status: 404, body: { error: 'not_found', message: 'unknown URL' } };
    const type = (request.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/x-www-form-urlencoded') {
      return refused(415, 'send application/x-www-form-urlencoded, as Kommo does');
    }
    let body;
    try {
      body = parseChatEventBody(request.rawBody.toString('utf8'));
    } catch (error) {
      if (error instanceof BadChatEventBody) return refused(400, error.message);
      throw error;
    }
    if (body.accountId === null) return refused(400, 'account[id] is missing');
    if (body.accountId !== owner.kommoAccountId) {
      this.logger.warn({ installationId: owner.installationId }, 'chat event for another account');
      return refused(400, 'account[id] is not the account of this URL');
    }
    if (body.items.length === 0) {
      return refused(400, 'no message[add] or outgoing_message[add] items');
    }
    // An uninstalled or disabled account: 200 and dropped, so Kommo neither retries nor disables
    // the webhook of an account that may come back (docs/kommo-contract.md §8.1.3).
    if (owner.status !== 'active') return { status: 200, body: { ok: true, ignored: 'inactive' } };
    let paused = 0;
    for (const item of body.items) {
      if (!isTeamMessage(item) || item.leadId === null) continue;
      if (await this.echoes.isEcho(owner.installationId, item.leadId, item.text)) continue;
      if (!(await this.firstSight(owner.installationId, item.id))) continue;
      await this.pauses.personWrote({
        installationId: owner.installationId,
        leadId: item.leadId,
        userId: item.authorUserId,
        userName: item.authorName,
        line: handbackLine(item.authorName, item.text),
        silenceMinutes: owner.silenceMinutes,
      });
      paused += 1;
      this.logger.log(
        { installationId: owner.installationId, leadId: item.leadId, userId: item.authorUserId },
        'a person wrote: AI paused for the lead',
      );
    }
    return { status: 200, body: { ok: true, paused } };
  }

  /** False for a message id already handled (Kommo's retries resend it). Redis down: handled. */
  private async firstSight(installationId: string, messageId: string): Promise<boolean> {
    try {
      const key = redisKey(this.config, 'handoff', 'seen', installationId, messageId);
      return (await this.redis.set(key, '1', 'EX', SEEN_TTL_SEC, 'NX')) === 'OK';
    } catch {
      return true;
    }
  }
}
