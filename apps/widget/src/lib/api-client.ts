import {
  type ExtractionCatalogResponse,
  type ExtractionProfileInput,
  type ExtractionProfilesResponse,
  type ExtractionProfileView,
  type CostCapInput,
  type HandAddedStep,
  type HandoffSettingsView,
  type LeadAiState,
  type LeadPauseInput,
  type LeadTraceResponse,
  type ProviderSettingsInput,
  type ProviderSettingsView,
  type TestConsoleInput,
  type TestConsoleResult,
  type WebhookUrlsResponse,
  type WidgetFieldsCheck,
  type WidgetSessionResponse,
  type WidgetUsageResponse,
} from '@gpt-bridge/shared';
import { type JqXhr, type KommoWidget } from './kommo-widget';
import { logger } from './logger';

export type TemplateKind = 'classic' | 'widget_block';

/** `GET /widget-api/templates/:kind`: the bot for this account, ready for Kommo's import. */
export type InstalledTemplate = {
  kind: TemplateKind;
  json: string;
  bytes: number;
  steps: string[];
  missingFields: string[];
  outline: { step: number; name: string; role: string }[];
  /** Designer steps with no documented JSON, which the user adds by hand (classic only). */
  handAdded: HandAddedStep[];
  /** The widget-block template: documented steps only. */
  recommended: boolean;
};

/** A failed call, with the API's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message our API (Nest) or a proxy put in the body, else a description of the status. */
export function errorFromXhr(xhr: JqXhr): ApiError {
  let body: unknown = xhr.responseJSON;
  if (body === undefined && xhr.responseText) {
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = undefined;
    }
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problems = Array.isArray(record.problems)
    ? record.problems.filter((p): p is string => typeof p === 'string')
    : [];
  const message =
    typeof record.message === 'string'
      ? record.message
      : Array.isArray(record.message)
        ? record.message.join('; ')
        : xhr.status === 0
          ? 'network error (is the GPT Bridge API reachable from this page?)'
          : `HTTP ${xhr.status}`;
  return new ApiError(xhr.status, message, problems);
}

/** `?limit=&before=` of the lead's trace, only the parts that are set. */
export function traceQuery(page: { limit?: number; before?: string }): string {
  const params = new URLSearchParams();
  if (page.limit !== undefined) params.set('limit', String(page.limit));
  if (page.before !== undefined) params.set('before', page.before);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The widget API, always called through Kommo's `$authorizedAjax` (it adds X-Auth-Token). */
export function createApiClient(widget: KommoWidget, apiUrl: string) {
  const call = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      widget
        .$authorizedAjax({
          url: `${apiUrl}/widget-api${path}`,
          type: method,
          dataType: 'json',
          ...(body === undefined
            ? {}
            : { contentType: 'application/json', data: JSON.stringify(body) }),
        })
        .then(
          (data) => resolve(data as T),
          (xhr) => {
            const error = errorFromXhr(xhr);
            logger.error(method, path, error.status, error.message);
            reject(error);
          },
        );
    });

  return {
    session: () => call<WidgetSessionResponse>('GET', '/session'),
    checkFields: () => call<WidgetFieldsCheck>('GET', '/fields/check'),
    provisionFields: () => call<{ queued: boolean }>('POST', '/fields/provision'),
    webhooks: () => call<WebhookUrlsResponse>('GET', '/webhooks'),
    rotateWebhook: (kind: string) =>
      call<WebhookUrlsResponse>('POST', `/webhooks/${encodeURIComponent(kind)}/rotate`),
    providers: () => call<ProviderSettingsView>('GET', '/providers'),
    saveProviders: (input: ProviderSettingsInput) =>
      call<ProviderSettingsView>('PUT', '/providers', input),
    usage: () => call<WidgetUsageResponse>('GET', '/usage'),
    setCostCap: (input: CostCapInput) => call<WidgetUsageResponse>('PUT', '/cost-cap', input),
    // burstWindow: the widget-block template that waits 3 s for more messages (issue 22.3).
    template: (kind: TemplateKind, burstWindow = false) =>
      call<InstalledTemplate>(
        'GET',
        `/templates/${kind}${kind === 'widget_block' && burstWindow ? '?burstWindow=true' : ''}`,
      ),
    testConsole: (input: TestConsoleInput) =>
      call<TestConsoleResult>('POST', '/test-console', input),
    extractionCatalog: () => call<ExtractionCatalogResponse>('GET', '/extraction/catalog'),
    extractionProfiles: () => call<ExtractionProfilesResponse>('GET', '/extraction/profiles'),
    saveExtractionProfile: (name: string, input: ExtractionProfileInput) =>
      call<ExtractionProfileView>('PUT', `/extraction/profiles/${encodeURIComponent(name)}`, input),
    deleteExtractionProfile: (name: string) =>
      call<unknown>('DELETE', `/extraction/profiles/${encodeURIComponent(name)}`),
    // The lead card (docs/kommo-contract.md §9.5): the API checks the lead is the token's account's.
    handoff: () => call<HandoffSettingsView>('GET', '/handoff'),
    leadAiState: (leadId: number) => call<LeadAiState>('GET', `/leads/${leadId}/ai-state`),
    pauseLead: (leadId: number, input: LeadPauseInput) =>
      call<LeadAiState>('POST', `/leads/${leadId}/pause`, input),
    resumeLead: (leadId: number) => call<LeadAiState>('POST', `/leads/${leadId}/resume`),
    leadRequests: (leadId: number, page: { limit?: number; before?: string } = {}) =>
      call<LeadTraceResponse>('GET', `/leads/${leadId}/requests${traceQuery(page)}`),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
