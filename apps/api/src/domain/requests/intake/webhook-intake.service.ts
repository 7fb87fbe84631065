import { type IntakeErrorClass } from '@gpt-bridge/shared';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { AiJobs } from '../ai-jobs';
import {
  RequestsRepository,
  type TokenIntake,
  type TokenIntakeResult,
} from '../requests.repository';
import { type RequestMode, type RequestParams } from '../ai-request.types';
import { type InstallationStatus } from '../../installations/installation.entity';
import { KommoApiError } from '../../../integrations/kommo/kommo-errors';
import { continuePath } from '../../../integrations/kommo/kommo-salesbot';
import { verifyBotToken } from '../../../integrations/kommo/bot-token';
import { BotTokenUses } from './bot-token-uses';
import { IntakeBatcher } from './intake-batcher';
import { deliveryKey } from './delivery-key';
import { extractLeadFields, extractLeadId, positiveInt } from './lead-id';
import { BadWebhookBody, type BodyRecord, parseWebhookBody } from './webhook-body';
import { hashWebhookToken, isWebhookTokenShaped } from '../../installations/webhook-token';
import { type WebhookTarget, WebhookTokens } from '../../installations/webhook-tokens.service';

/** What the HTTP layer sends back. */
export type IntakeReply = { status: number; body: Record<string, unknown> };

export type IntakeRequest = {
  token: string;
  rawBody: Buffer;
  contentType: string | undefined;
  query: URLSearchParams;
  idempotencyKey: string | undefined;
};

const MODEL_NAME = /^[A-Za-z0-9._:/@-]{1,120}$/;

// The same answer for an unknown, rotated or uninstalled token: nothing tells them apart.
const NOT_FOUND: IntakeReply = {
  status: 404,
  body: { error: 'not_found', message: 'Unknown webhook URL' },
};

const reply = (status: number, error: string, message: string): IntakeReply => ({
  status,
  body: { error, message },
});

/** A refused request whose reason is logged for the account (its token was valid). */
class Refusal extends AppError<IntakeErrorClass> {
  constructor(
    readonly status: number,
    readonly errorClass: IntakeErrorClass,
    message: string,
    readonly leadId: number | null = null,
  ) {
    // The webhook routes answer it themselves (their own body shape), never the filter.
    super(errorClass, 'internal', message);
  }
}

/**
 * The two webhooks' front door: find the installation by the URL token, read the body, store
 * the request durably (the PostgreSQL row is the copy a crash cannot lose), answer, and enqueue
 * it for the worker. No call to Kommo or a provider happens here.
 */
@Injectable()
export class WebhookIntake {
  private readonly logger = new Logger(WebhookIntake.name);

  constructor(
    private readonly tokens: WebhookTokens,
    private readonly store: RequestsRepository,
    private readonly jobs: AiJobs,
    private readonly config: AppConfig,
    private readonly batcher: IntakeBatcher,
    private readonly botTokens: BotTokenUses,
  ) {}

  /**
   * `POST /{token}/handler`: classic mode, the answer goes into the lead's fields. The body is
   * read first, so a good request needs a single statement (token lookup and store together,
   * batched with the webhooks arriving at the same time);
   * only a refused one looks the token up on its own, to log the refusal for its account.
   */
  async classic(request: IntakeRequest): Promise<IntakeReply> {
    if (!isWebhookTokenShaped(request.token)) return NOT_FOUND;
    let read: { leadId: number; params: RequestParams };
    try {
      read = this.readClassic(request);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const target = await this.tokens.lookup(request.token);
      if (!target) return NOT_FOUND;
      return this.refuseFor(target) ?? this.logRefusal(target, 'classic', error);
    }
    return this.answerStored(
      await this.batcher.submit(this.intakeItem(request, 'classic', read.leadId, read.params)),
      read.leadId,
    );
  }

  private readClassic(request: IntakeRequest) {
    const body = this.parse(request);
    const leadId = extractLeadId(body, request.query);
    if (leadId === undefined) {
      throw new Refusal(
        400,
        'no_lead_id',
        'no lead id: send lead_id, data[lead_id], entity_id, leads[...][0][id] or ?lead_id=',
      );
    }
    // Kept for the ChatGPT webhook only (the statement drops them for the Assistant's).
    const params = this.chatParams(request.query, leadId);
    const leadFields = extractLeadFields(body);
    return { leadId, params: leadFields ? { ...params, leadFields } : params };
  }

  /** `POST /{token}/widget-request`: Kommo's widget_request, answered through continue. */
  widget(request: IntakeRequest): Promise<IntakeReply> {
    return this.accept(request, 'widget', (target, body) => {
      const secret = this.config.get('KOMMO_CLIENT_SECRET');
      if (!secret) {
        throw new Refusal(503, 'not_configured', 'the Kommo integration is not configured');
      }
      if (typeof body.token !== 'string') {
        throw new Refusal(400, 'no_token', 'the body has no token');
      }
      const verified = verifyBotToken(body.token, {
        secret,
        kommoAccountId: target.kommoAccountId,
      });
      if (!verified.ok) {
        this.logger.warn({ reason: verified.reason }, 'widget_request token refused');
        throw new Refusal(401, 'bad_token', 'invalid or expired widget_request token');
      }
      const data = isRecord(body.data) ? body.data : {};
      let path: string;
      try {
        path = continuePath(typeof body.return_url === 'string' ? body.return_url : '');
      } catch (error) {
        if (error instanceof KommoApiError) {
          throw new Refusal(
            400,
            'bad_return_url',
            'return_url is not a Kommo salesbot continue URL',
          );
        }
        throw error;
      }
      const { claims } = verified;
      const fromToken =
        claims.entityType === null || claims.entityType === 2 ? claims.entityId : null;
      const leadId = fromToken ?? positiveInt(data.lead_id);
      if (leadId === undefined || leadId === null) {
        throw new Refusal(
          400,
          'no_lead_id',
          'no lead id in the token (entity_id) or data[lead_id]',
        );
      }
      const step = data.next_step;
      if (!(typeof step === 'number' || (typeof step === 'string' && /^\d{1,4}$/.test(step)))) {
        throw new Refusal(
          400,
          'no_next_step',
          'data.next_step is missing: save the GPT Bridge block again in the salesbot designer',
          leadId,
        );
      }
      const params: RequestParams = { widget: { continuePath: path, data } };
      const tokenUse = { jti: claims.jti, raw: body.token, exp: claims.exp };
      return { leadId, params, continuePath: path, tokenUse };
    });
  }

  private async accept(
    request: IntakeRequest,
    mode: RequestMode,
    read: (
      target: WebhookTarget,
      body: BodyRecord,
    ) => {
      leadId: number;
      params: RequestParams;
      continuePath?: string;
      tokenUse?: { jti: string | null; raw: string; exp: number };
    },
  ): Promise<IntakeReply> {
    const found = await this.tokens.lookup(request.token);
    if (!found) return NOT_FOUND;
    const refused = this.refuseFor(found);
    if (refused) return refused;
    try {
      const { leadId, params, continuePath: path, tokenUse } = read(found, this.parse(request));
      if (tokenUse && path && !(await this.botTokens.claim(tokenUse, path))) {
        throw new Refusal(
          409,
          'token_reused',
          'this widget_request token was already used for another salesbot step; Kommo sends a new one with every widget_request',
          leadId,
        );
      }
      // Uninstalled or disabled since the lookup above: refused as it would be now.
      return this.answerStored(
        await this.batcher.submit(this.intakeItem(request, mode, leadId, params, path)),
        leadId,
      );
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return this.logRefusal(found, mode, error);
    }
  }

  /** What the batcher stores for a webhook that passed its checks. */
  private intakeItem(
    request: IntakeRequest,
    mode: RequestMode,
    leadId: number,
    params: RequestParams,
    continuePath?: string,
  ): TokenIntake {
    return {
      tokenHash: hashWebhookToken(request.token),
      mode,
      leadId,
      deliveryKey: deliveryKey({
        idempotencyKey: request.idempotencyKey,
        continuePath,
        query: request.query,
        rawBody: request.rawBody,
      }),
      params,
      dedupeWindowSeconds: this.config.get('WEBHOOK_DEDUPE_WINDOW_SECONDS'),
    };
  }

  /** The ack of a stored webhook, or the refusal of an installation that is not active. */
  private answerStored(stored: TokenIntakeResult, leadId: number): IntakeReply {
    if (!stored.installationId || !stored.requestId) {
      const target = stored.installationId ? { status: stored.status as InstallationStatus } : null;
      return this.refuseFor(target) ?? NOT_FOUND;
    }
    return this.acknowledge(stored.installationId, leadId, stored.requestId, stored.duplicateOf);
  }

  /** 404 for no token or an uninstalled account (indistinguishable), 409 while not active. */
  private refuseFor(target: Pick<WebhookTarget, 'status'> | null): IntakeReply | null {
    if (!target || target.status === 'disabled') return NOT_FOUND;
    if (target.status === 'active') return null;
    return reply(
      409,
      'installation_inactive',
      target.status === 'auth_failed'
        ? 'Kommo no longer accepts our access for this account: reinstall GPT Bridge'
        : 'the installation is not finished yet: open the widget settings in Kommo',
    );
  }

  private parse(request: IntakeRequest): BodyRecord {
    const limit = this.config.get('WEBHOOK_MAX_BODY_BYTES');
    if (request.rawBody.length > limit) {
      throw new Refusal(413, 'body_too_large', `the body is larger than ${limit} bytes`);
    }
    try {
      return parseWebhookBody(request.rawBody, request.contentType);
    } catch (error) {
      if (error instanceof BadWebhookBody) {
        throw new Refusal(error.status, 'bad_body', error.message);
      }
      throw error;
    }
  }

  private acknowledge(
    installationId: string,
    leadId: number,
    requestId: string,
    duplicateOf: string | null,
  ): IntakeReply {
    if (duplicateOf) {
      return { status: 200, body: { ok: true, request_id: duplicateOf, duplicate: true } };
    }
    // Not waited for: the committed row is the durable copy, and the job only wakes the worker
    // sooner. An add that fails or is late is the sweeper's (INTAKE_STALE_AFTER_MS), as it was
    // when the ack waited (for 250 ms at most); waiting added a Redis round trip to every ack.
    this.jobs.wake({ installationId, leadId, requestId });
    return { status: 200, body: { ok: true, request_id: requestId } };
  }

  /** A refusal for a known token is logged for its account (not for 401/503: nothing changed). */
  private async logRefusal(
    target: WebhookTarget,
    mode: RequestMode,
    error: Refusal,
  ): Promise<IntakeReply> {
    if (error.status !== 401 && error.status !== 503) {
      await this.store.insertRejected({
        installationId: target.installationId,
        kind: target.kind,
        mode,
        leadId: error.leadId,
        errorClass: error.errorClass,
        errorMessage: error.message,
      });
    }
    return reply(error.status, error.errorClass, error.message);
  }

  /** `?model=`, `?tokens=` and `?extract=` of the ChatGPT webhook. */
  private chatParams(query: URLSearchParams, leadId: number): RequestParams {
    const params: RequestParams = {};
    const model = query.get('model')?.trim();
    if (model) {
      if (!MODEL_NAME.test(model)) {
        throw new Refusal(400, 'bad_model', 'model= is not a model name', leadId);
      }
      params.model = model;
    }
    const tokens = query.get('tokens')?.trim();
    if (tokens) {
      const value = positiveInt(tokens);
      if (value === undefined) {
        throw new Refusal(400, 'bad_tokens', 'tokens= must be a positive whole number', leadId);
      }
      params.tokens = value;
    }
    // Looked up by the worker (the ack runs one statement): an unknown name is its LOG error.
    const extract = query.get('extract')?.trim();
    if (extract) params.extract = extract.slice(0, 64);
    return params;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
