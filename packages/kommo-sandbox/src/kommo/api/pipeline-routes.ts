import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { registerAccountRoute } from '../api-guard.js';
import { requestBaseUrl } from '../addressing.js';
import { sendEmpty, sendHal } from '../problems.js';
import { renderPipeline, renderStatus } from '../render.js';
import { kommoRequest } from '../request-state.js';
import { idParam } from './body.js';

/**
 * Lead pipelines and their stages, read-only (docs/kommo-contract.md §9.2): the list (not paged:
 * at most 50 pipelines), one pipeline, its statuses, one status. Any user may read them. A
 * missing pipeline or status answers 204, like other lookups (§4.1). Tests add pipelines through
 * `POST /_sandbox/accounts/:account/pipelines`.
 */
export function registerPipelineRoutes(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/pipelines',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const pipelines = store.data(account.id).listPipelines();
      if (pipelines.length === 0) return sendEmpty(reply);
      const baseUrl = requestBaseUrl(request);
      return sendHal(reply, {
        _total_items: pipelines.length,
        _links: { self: { href: `${baseUrl}/api/v4/leads/pipelines` } },
        _embedded: { pipelines: pipelines.map((p) => renderPipeline(account.id, p, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/pipelines/:id',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      const pipeline = id === undefined ? undefined : store.data(account.id).pipelines.get(id);
      if (!pipeline) return sendEmpty(reply);
      return sendHal(reply, renderPipeline(account.id, pipeline, requestBaseUrl(request)));
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/pipelines/:id/statuses',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const id = idParam(request.params);
      const pipeline = id === undefined ? undefined : store.data(account.id).pipelines.get(id);
      if (!pipeline) return sendEmpty(reply);
      const baseUrl = requestBaseUrl(request);
      const statuses = [...pipeline.statuses].sort((a, b) => a.sort - b.sort);
      return sendHal(reply, {
        _total_items: statuses.length,
        _links: { self: { href: `${baseUrl}/api/v4/leads/pipelines/${pipeline.id}/statuses` } },
        _embedded: { statuses: statuses.map((s) => renderStatus(account.id, s, baseUrl)) },
      });
    },
  });

  registerAccountRoute(app, context, {
    method: 'GET',
    url: '/api/v4/leads/pipelines/:id/statuses/:statusId',
    handler: async (request, reply) => {
      const { account } = kommoRequest(request);
      const pipelineId = idParam(request.params);
      const statusId = idParam(request.params, 'statusId');
      const status =
        pipelineId === undefined || statusId === undefined
          ? undefined
          : store.data(account.id).findStatus(pipelineId, statusId);
      if (!status) return sendEmpty(reply);
      return sendHal(reply, renderStatus(account.id, status, requestBaseUrl(request)));
    },
  });
}
