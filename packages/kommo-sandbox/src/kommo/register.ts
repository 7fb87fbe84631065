/*
 * The Kommo core of the sandbox. Routes (every account-scoped route also answers under
 * `/a/{subdomain}` — see addressing.ts — and runs the API guard: faults, 7 rps limit, Bearer auth):
 *
 * OAuth (docs/kommo-contract.md §2)
 *   GET  /oauth?client_id=&state=&mode=&account=     consent page (Allow / Deny); not account-scoped
 *   GET  /oauth/decide?decision=allow|deny&account_id=&client_id=&state=   → 302 to redirect_uri
 *   POST /oauth2/access_token                         JSON or form; authorization_code | refresh_token
 *   GET  /oauth2/account/current/subdomain            header X-Refresh-Token
 * API v4 (hal+json; problem+json errors; 204 on empty lists; page/limit ≤ 250)
 *   GET  /api/v4/account[?with=datetime_settings,amojo_id,users_groups,task_types,version]
 *   GET  /api/v4/users, /api/v4/users/{id}   (admin tokens only; `rights.is_admin` …)
 *   GET  /api/v4/leads, /api/v4/leads/{id};  POST /api/v4/leads;  PATCH /api/v4/leads, /api/v4/leads/{id}
 *        (custom_fields_values checked per type, status_id/pipeline_id against the pipelines,
 *        responsible_user_id, tags_to_add/tags_to_delete/_embedded.tags; all or nothing: §9)
 *   GET  /api/v4/leads/custom_fields[?filter[type][]=], /api/v4/leads/custom_fields/{id}
 *   POST /api/v4/leads/custom_fields (admin);  DELETE /api/v4/leads/custom_fields/{id} (admin)
 *   GET  /api/v4/leads/pipelines, /{id}, /{id}/statuses, /{id}/statuses/{status_id}   (§9.2)
 *   GET|POST /api/v4/leads/tags
 *   GET|POST /api/v4/leads/notes, /api/v4/leads/{id}/notes
 *   POST /api/v4/webhooks {destination, settings: [event…], sort?} → 201 (same destination: replaces settings)
 *   GET  /api/v4/webhooks[?filter[destination]=];  DELETE /api/v4/webhooks {destination} → 204 | 404
 *        (all three admin-only, at most webhooks.maxPerAccount; §8.1.1)
 *   GET  /api/v4/tasks[?filter[entity_type]=leads&filter[entity_id][]=&filter[is_completed]=0&
 *        filter[responsible_user_id][]=&filter[task_type][]=&filter[id][]=], /api/v4/tasks/{id}
 *   POST /api/v4/tasks (array);  PATCH /api/v4/tasks/{id} (e.g. is_completed, result)   (§9.4)
 * Control API (JSON; `:account` = id, subdomain or host)
 *   POST /_sandbox/accounts  {subdomain, domain?: kommo.com|amocrm.ru, name?, language?, timezone?,
 *                             users?: [{name, is_admin}], current_user_is_admin?}  → account + base_url
 *   GET  /_sandbox/accounts, /_sandbox/accounts/:account;  PATCH /_sandbox/accounts/:account
 *   POST /_sandbox/accounts/:account/users {name, is_admin?, current?}
 *   POST /_sandbox/accounts/:account/leads {name?, price?, fields?: {idOrCode: value}, tags?,
 *                             status_id?, pipeline_id?, responsible_user_id?}
 *   GET  /_sandbox/accounts/:account/leads, /_sandbox/accounts/:account/leads/:lead
 *        (full state: fields, tags, stage {pipeline, status}, notes, tasks)
 *   PUT  /_sandbox/accounts/:account/leads/:lead/fields/:field {value, validate?}
 *   GET|POST /_sandbox/accounts/:account/custom-fields;  DELETE …/custom-fields/:field (id or code)
 *   GET  /_sandbox/accounts/:account/tags
 *   GET|POST /_sandbox/accounts/:account/pipelines {name, is_main?, sort?, statuses?: [{name, color?}]}
 *        (every account starts with "Sales pipeline"; 142/143 are added to each)
 *   GET  /_sandbox/accounts/:account/tasks[?lead=]
 *   POST /_sandbox/accounts/:account/tokens {user_id?}   → token pair without the consent flow
 *   POST /_sandbox/accounts/:account/codes {user_id?, state?} → code + consent redirect URL
 *   POST /_sandbox/accounts/:account/revoke-tokens
 *   POST /_sandbox/accounts/:account/install {user_id?}  → GET redirect_uri?code&referer&from_widget=1
 *   POST /_sandbox/accounts/:account/uninstall {forge?, revoke?} → GET hook?client_uuid&account_id&signature
 *   GET|PUT|PATCH /_sandbox/integration {client_id, client_secret, redirect_uri, uninstall_hook_url, name}
 *   GET|PATCH /_sandbox/settings {oauth:{refreshRotation…}, rateLimit:{scope: account|ip|global, perWindow…}, fields:{…}, outboundTimeoutMs,
 *                                 webhooks:{botMessages: bot|owner|none, outgoingMessages: add_outgoing_message|add_message|both,
 *                                           timeoutMs, retryDelaysMs, disableAfterFailures, disableWindowMs, maxPerAccount}}
 *   GET  /_sandbox/webhooks/deliveries?account=&event=&destination=&lead_id=&state=  (every attempt);  DELETE …/deliveries
 *   GET  /_sandbox/accounts/:account/webhooks;  PATCH /_sandbox/accounts/:account/webhooks {destination, disabled}
 *   POST /_sandbox/chats/:leadId/team-message {text, user_id?, account?}  (salesbot part: a user writes in the chat)
 *   POST /_sandbox/rate-limit/block {account_id? | ip?, ms | seconds} → {blocked_until} (403 as after repeated 429s)
 *   GET  /_sandbox/requests?method=&path=&account_id=&status=&kind=&direction=&since=;  DELETE /_sandbox/requests
 *   GET  /_sandbox/requests/counters  → {total, status429, status403, blocked}
 *   POST /_sandbox/faults {path, method?, account_id?, count?, status?, body?, retry_after?, delay_ms?, hang?, hang_ms?}
 *   GET|DELETE /_sandbox/faults;  DELETE /_sandbox/faults/:id
 *   GET  /_sandbox/clock;  POST /_sandbox/clock/advance {ms|seconds|minutes|hours};  PUT /_sandbox/clock/speed {speed};
 *   POST /_sandbox/clock/reset (real time, speed 1)
 *   POST /_sandbox/reset {keep_integration?}
 */
import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';
import { registerAccountRoutes } from './api/account-routes.js';
import { registerCustomFieldRoutes } from './api/custom-field-routes.js';
import { registerLeadRoutes } from './api/lead-routes.js';
import { registerNoteRoutes } from './api/note-routes.js';
import { registerOAuthRoutes } from './api/oauth-routes.js';
import { registerPipelineRoutes } from './api/pipeline-routes.js';
import { registerTagRoutes } from './api/tag-routes.js';
import { registerTaskRoutes } from './api/task-routes.js';
import { registerAccountControl } from './control/account-control.js';
import { registerRuntimeControl } from './control/runtime-control.js';
import { installKommoApiPlumbing } from './api-plumbing.js';
import { installRecorder } from './recorder.js';
import { registerWebhookControl } from './webhooks/webhook-control.js';
import { registerWebhookRoutes } from './webhooks/webhook-routes.js';

/** Registers the Kommo core: OAuth, API v4, rate limit, control API. */
export function registerKommo(app: FastifyInstance, context: SandboxContext): void {
  installRecorder(app, context);
  context.resetHooks.add(() => context.webhooks.reset());
  app.addHook('preClose', (done) => {
    // Hung requests would keep the server from closing.
    context.kommo.faults.releaseAll();
    context.kommo.persistence?.flush();
    done();
  });
  // Encapsulated so our body parsers and error handler do not change the other parts' routes.
  void app.register((api, _options, done) => {
    installKommoApiPlumbing(api);
    registerOAuthRoutes(api, context);
    registerAccountRoutes(api, context);
    registerLeadRoutes(api, context);
    registerCustomFieldRoutes(api, context);
    registerPipelineRoutes(api, context);
    registerTagRoutes(api, context);
    registerNoteRoutes(api, context);
    registerWebhookRoutes(api, context);
    registerTaskRoutes(api, context);
    registerAccountControl(api, context);
    registerRuntimeControl(api, context);
    registerWebhookControl(api, context);
    done();
  });
}
