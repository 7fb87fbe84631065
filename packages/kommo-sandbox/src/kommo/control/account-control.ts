import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import {
  type CreateFieldInput,
  type CreateLeadInput,
  type CreatePipelineInput,
} from '../account-data.js';
import { accountBaseUrl } from '../addressing.js';
import { type FieldValueInput } from '../field-values.js';
import {
  renderField,
  renderLead,
  renderNote,
  renderPipeline,
  renderTag,
  renderTask,
} from '../render.js';
import { type CreateAccountInput } from '../store.js';
import { type KommoAccount } from '../types.js';
import { registerOAuthControl } from './oauth-control.js';
import { accountParam, describeAccount } from './params.js';

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body =>
  typeof request.body === 'object' && request.body !== null ? (request.body as Body) : {};

/** Control API for accounts, users, leads and lead fields (`/_sandbox/accounts…`). */
export function registerAccountControl(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;
  const leadState = (account: KommoAccount, leadId: number) => {
    const data = store.data(account.id);
    const lead = data.requireLead(leadId);
    const baseUrl = accountBaseUrl(context, account);
    const byField: Record<string, unknown> = {};
    for (const [fieldId, values] of Object.entries(lead.fields)) {
      const field = data.fields.get(Number(fieldId));
      byField[field?.code ?? fieldId] =
        values.length === 1 ? values[0]?.value : values.map((v) => v.value);
    }
    const pipeline = data.pipelines.get(lead.pipeline_id);
    const status = data.findStatus(lead.pipeline_id, lead.status_id);
    return {
      ...renderLead(data, lead, baseUrl),
      tags: data.leadTags(lead).map((t) => t.name),
      fields: byField,
      stage: { pipeline: pipeline?.name ?? null, status: status?.name ?? null },
      notes: data.listNotes(lead.id).map((n) => renderNote(account.id, n, baseUrl)),
      tasks: data
        .listTasks({ entity_ids: new Set([lead.id]) })
        .map((t) => renderTask(account.id, t, baseUrl)),
    };
  };

  app.post('/_sandbox/accounts', async (request, reply) => {
    const body = bodyOf(request);
    if (typeof body.subdomain !== 'string') {
      return reply.code(400).send({ error: 'subdomain is required' });
    }
    const account = store.createAccount(body as CreateAccountInput);
    return reply.code(201).send(describeAccount(context, account));
  });

  app.get('/_sandbox/accounts', () => ({
    accounts: store.listAccounts().map((a) => describeAccount(context, a)),
  }));

  app.get('/_sandbox/accounts/:account', async (request, reply) => {
    const account = accountParam(context, request, reply);
    return account ? describeAccount(context, account) : reply;
  });

  app.patch('/_sandbox/accounts/:account', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    return describeAccount(context, store.updateAccount(account.id, bodyOf(request)));
  });

  app.post('/_sandbox/accounts/:account/users', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const body = bodyOf(request);
    const user = store.addUser(account.id, {
      name: typeof body.name === 'string' ? body.name : 'User',
      is_admin: body.is_admin === true,
    });
    if (body.current === true) store.updateAccount(account.id, { current_user_id: user.id });
    return reply.code(201).send(user);
  });

  // Body: { name?, price?, fields?: { "<field id or code>": value | values[] }, custom_fields_values?: Kommo format, tags?: [name|id] }
  app.post('/_sandbox/accounts/:account/leads', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const body = bodyOf(request);
    const fields: Record<string, FieldValueInput> = {
      ...(body.fields as Record<string, FieldValueInput> | undefined),
    };
    for (const entry of (body.custom_fields_values ?? []) as {
      field_id?: number;
      field_code?: string;
      values: FieldValueInput;
    }[]) {
      fields[String(entry.field_id ?? entry.field_code)] = entry.values;
    }
    const input: CreateLeadInput = { ...(body as CreateLeadInput), fields };
    const lead = store.createLead(account.id, input);
    return reply.code(201).send(leadState(account, lead.id));
  });

  app.get('/_sandbox/accounts/:account/leads', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    return { leads: store.listLeads(account.id).map((l) => leadState(account, l.id)) };
  });

  app.get('/_sandbox/accounts/:account/leads/:lead', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    return leadState(account, Number((request.params as Record<string, string>).lead));
  });

  // Body: { value: scalar | values[] | null, validate?: boolean }
  app.put('/_sandbox/accounts/:account/leads/:lead/fields/:field', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const params = request.params as Record<string, string>;
    const body = bodyOf(request);
    store.setLeadFieldValue(
      account.id,
      Number(params.lead),
      params.field ?? '',
      body.value as FieldValueInput,
      {
        validate: body.validate !== false,
      },
    );
    return leadState(account, Number(params.lead));
  });

  app.get('/_sandbox/accounts/:account/custom-fields', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const baseUrl = accountBaseUrl(context, account);
    return {
      custom_fields: store
        .listCustomFields(account.id)
        .map((f) => renderField(account.id, f, baseUrl)),
    };
  });

  app.post('/_sandbox/accounts/:account/custom-fields', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const field = store.createCustomField(account.id, bodyOf(request) as CreateFieldInput);
    return reply.code(201).send(renderField(account.id, field, accountBaseUrl(context, account)));
  });

  // `:field` is an id or a code; used to test re-provisioning after someone deleted our field.
  app.delete('/_sandbox/accounts/:account/custom-fields/:field', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const field = store.getCustomField(
      account.id,
      (request.params as Record<string, string>).field ?? '',
    );
    if (!field) return reply.code(404).send({ error: 'field not found' });
    store.deleteCustomField(account.id, field.id);
    return reply.code(204).send();
  });

  app.get('/_sandbox/accounts/:account/tags', async (request, reply) => {
    const account = accountParam(context, request, reply);
    return account ? { tags: store.listTags(account.id).map(renderTag) } : reply;
  });

  app.get('/_sandbox/accounts/:account/pipelines', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const baseUrl = accountBaseUrl(context, account);
    return {
      pipelines: store
        .data(account.id)
        .listPipelines()
        .map((p) => renderPipeline(account.id, p, baseUrl)),
    };
  });

  // Body: { name, is_main?, sort?, statuses?: [{ name, color? }] } (the working stages, in order).
  app.post('/_sandbox/accounts/:account/pipelines', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const body = bodyOf(request);
    if (typeof body.name !== 'string' || !body.name.trim()) {
      return reply.code(400).send({ error: 'name is required' });
    }
    const statuses = body.statuses;
    if (
      statuses !== undefined &&
      (!Array.isArray(statuses) ||
        !statuses.every(
          (s: unknown) =>
            typeof s === 'object' && s !== null && typeof (s as Body).name === 'string',
        ))
    ) {
      return reply.code(400).send({ error: 'statuses must be [{name, color?}]' });
    }
    const pipeline = store.data(account.id).createPipeline(body as CreatePipelineInput);
    store.changed();
    return reply
      .code(201)
      .send(renderPipeline(account.id, pipeline, accountBaseUrl(context, account)));
  });

  app.get('/_sandbox/accounts/:account/tasks', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const lead = Number((request.query as Record<string, string | undefined>).lead);
    const filter = Number.isInteger(lead) && lead > 0 ? { entity_ids: new Set([lead]) } : {};
    const baseUrl = accountBaseUrl(context, account);
    return {
      tasks: store
        .data(account.id)
        .listTasks(filter)
        .map((t) => renderTask(account.id, t, baseUrl)),
    };
  });

  registerOAuthControl(app, context);
}
