import { type SandboxContext } from '../context.js';
import { accountBaseUrl, type FieldValue, type KommoAccount } from '../kommo/index.js';
import {
  type AccountInfo,
  type CrmDirectory,
  type FieldView,
  type SalesbotCrm,
  type TaskView,
} from './ports.js';

/**
 * The salesbot engine's view of the Kommo core's store. The store has no contacts, so contact
 * placeholders come from the chat (see `Chat.contactName`), not from here.
 */
export function kommoDirectory(context: SandboxContext): CrmDirectory {
  const store = context.kommo;
  return {
    account: (accountId) => {
      const account = store.getAccount(accountId);
      return account ? accountInfo(context, account) : undefined;
    },
    crm: (accountId) => (store.getAccount(accountId) ? kommoCrm(context, accountId) : undefined),
    integration: (_accountId, clientId) => {
      // The sandbox hosts one integration (ours); a bot naming another client id gets nothing.
      const { client_id: id, client_secret: secret } = store.integration;
      if (clientId !== undefined && clientId !== id) return undefined;
      return { clientId: id, clientSecret: secret };
    },
  };
}

export function accountInfo(context: SandboxContext, account: KommoAccount): AccountInfo {
  return {
    id: account.id,
    subdomain: account.subdomain,
    url: `https://${account.host}`,
    apiBase: accountBaseUrl(context, account),
  };
}

function kommoCrm(context: SandboxContext, accountId: number): SalesbotCrm {
  const store = context.kommo;
  const fieldValues = (leadId: number): Record<string, string> => {
    const lead = store.getLead(accountId, leadId);
    if (!lead) return {};
    return Object.fromEntries(
      Object.entries(lead.fields).map(([id, values]) => [id, display(values)]),
    );
  };
  return {
    readLead: (leadId) => {
      const lead = store.getLead(accountId, leadId);
      if (!lead) return undefined;
      return {
        id: lead.id,
        name: lead.name,
        price: lead.price,
        statusId: lead.status_id,
        pipelineId: lead.pipeline_id,
        responsibleUserId: lead.responsible_user_id,
        tags: store.getLeadTags(accountId, leadId).map((tag) => tag.name),
        fields: fieldValues(leadId),
        contact: { id: null, name: '', firstName: '', lastName: '' },
      };
    },
    describeFields: (leadId) => {
      const values = fieldValues(leadId);
      return store.listCustomFields(accountId).map((field): FieldView => ({
        id: field.id,
        name: field.name,
        value: values[String(field.id)] ?? '',
        type: field.type,
      }));
    },
    describeStage: (leadId) => {
      const lead = store.getLead(accountId, leadId);
      if (!lead) return null;
      const data = store.data(accountId);
      const pipeline = data.pipelines.get(lead.pipeline_id);
      const status = data.findStatus(lead.pipeline_id, lead.status_id);
      if (!pipeline || !status) return null;
      return {
        pipeline: pipeline.name,
        status: status.name,
        statusId: status.id,
        color: status.color,
      };
    },
    listTasks: (leadId) => {
      const data = store.data(accountId);
      const account = data.account;
      return data.listTasks({ entity_ids: new Set([leadId]) }).map((task): TaskView => ({
        id: task.id,
        text: task.text,
        completeTill: task.complete_till,
        isCompleted: task.is_completed,
        type:
          data.taskTypes.find((t) => t.id === task.task_type_id)?.name ?? String(task.task_type_id),
        responsible:
          account.users.find((u) => u.id === task.responsible_user_id)?.name ??
          String(task.responsible_user_id),
      }));
    },
    listNotes: (leadId) =>
      store.listNotes(accountId, leadId).map((note) => ({
        id: note.id,
        type: note.note_type,
        text: typeof note.params.text === 'string' ? note.params.text : JSON.stringify(note.params),
      })),
    createLead: (name) => store.createLead(accountId, name ? { name } : {}).id,
    setField: (leadId, fieldId, value) => {
      // An empty value clears the field, as an empty placeholder does in Kommo.
      store.setLeadFieldValue(accountId, leadId, fieldId, value === '' ? null : value);
    },
    addTag: (leadId, name) => void store.addTagToLead(accountId, leadId, name),
    removeTag: (leadId, name) => void store.removeTagFromLead(accountId, leadId, name),
    addNote: (leadId, text) =>
      void store.addNote(accountId, { entity_id: leadId, note_type: 'common', params: { text } }),
    setStatus: (leadId, statusId, pipelineId) => {
      const lead = store.getLead(accountId, leadId);
      if (!lead) throw new Error(`Lead ${leadId} not found`);
      // Not checked against the pipelines (bots in tests name arbitrary ids); closed_at follows
      // 142/143 as for an API move.
      const data = store.data(accountId);
      data.moveLead(lead, pipelineId ?? lead.pipeline_id, statusId);
      data.touchLead(lead);
      store.changed();
    },
  };
}

function display(values: FieldValue[]): string {
  return values.map((item) => String(item.value)).join(', ');
}
