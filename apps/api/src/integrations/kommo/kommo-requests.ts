// Request bodies we send to Kommo API v4 (docs/kommo-contract.md §4.4–4.9, §5.2).

export type KommoTagRef = { id: number } | { name: string };

export type KommoFieldValueInput = {
  value?: string | number | boolean;
  enum_id?: number;
  enum_code?: string;
};

/** `field_id` or `field_code`; `values: null` clears the field. */
export type KommoLeadFieldInput = (
  { field_id: number; field_code?: never } | { field_code: string; field_id?: never }
) & { values: KommoFieldValueInput[] | null };

export type KommoLeadPatch = {
  name?: string;
  price?: number;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  custom_fields_values?: KommoLeadFieldInput[];
  /** Adds tags without touching the others (prefer this to `_embedded.tags`, which replaces). */
  tags_to_add?: KommoTagRef[];
  tags_to_delete?: KommoTagRef[];
  _embedded?: { tags?: KommoTagRef[] | null };
};

export type KommoCustomFieldInput = {
  name: string;
  type: string;
  code?: string;
  sort?: number;
  is_api_only?: boolean;
  group_id?: string;
  enums?: { value: string; sort?: number }[];
};

export type KommoNoteInput =
  | { entity_id: number; note_type: 'common'; params: { text: string } }
  | {
      entity_id: number;
      note_type: 'extended_service_message';
      params: { service: string; text: string };
    };

/** `POST /api/v4/tasks` item (docs/kommo-contract.md §9.4). */
export type KommoTaskInput = {
  text: string;
  /** Unix seconds. */
  complete_till: number;
  entity_id: number;
  entity_type: 'leads';
  task_type_id: number;
  responsible_user_id?: number;
};

export type KommoBotTask = {
  botId: number;
  entityId: number;
  /** Default `leads`. */
  entityType?: 'leads' | 'contacts';
};

/** A `continue` handler; Kommo documents `show` and `goto` here (≤10 handlers, show ≤80 chars). */
export type KommoContinueHandler = { handler: string; params?: Record<string, unknown> };

export type KommoContinueBody = {
  /** Becomes `{{json.<key>}}` in the bot's later steps. */
  data?: Record<string, unknown>;
  execute_handlers: KommoContinueHandler[];
};

/** Which waiting bot to continue: the widget_request `return_url`, or its parts. */
export type KommoContinueTarget =
  string | { botId: number; continueId: string; kind?: 'salesbot' | 'marketingbot' };
