/** The parts of Kommo's widget object (`self` in script.js) the bundle uses. */
export type JqXhr = { status: number; responseText?: string; responseJSON?: unknown };

export type KommoWidget = {
  $authorizedAjax(options: {
    url: string;
    type: string;
    contentType?: string;
    dataType?: string;
    data?: string;
  }): {
    then(
      done: (data: unknown) => void,
      fail: (xhr: JqXhr, status: string, error: string) => void,
    ): unknown;
  };
  i18n(key: string): unknown;
  /** Card locations: fills the widget's block in the card's right panel (§9.5). */
  render_template(
    options: { caption?: { class_name?: string }; body?: string; render?: string },
    data?: Record<string, unknown>,
  ): unknown;
  get_settings(): { widget_code?: string; path?: string } & Record<string, unknown>;
  system(): { subdomain?: string; amouser_id?: string } & Record<string, unknown>;
};

/** What script.js passes along: our API's address (written in when widget.zip is packed). */
export type WidgetOptions = { apiUrl: string };

/** The parts of Kommo's global `APP` (legacy `AMOCRM`) the bundle reads. */
type KommoApp = {
  lang_id?: unknown;
  data?: { current_card?: unknown; current_entity?: unknown };
};

const scope = () => globalThis as { APP?: KommoApp; AMOCRM?: KommoApp };

/** Kommo's language id (`APP.lang_id`). */
export function kommoLanguage(): unknown {
  return scope().APP?.lang_id ?? scope().AMOCRM?.lang_id;
}

/** Lead cards are entity type 2 in Kommo (`element_type`). */
const LEAD_ELEMENT_TYPE = 2;

/**
 * The lead whose card is open, from `APP.data.current_card` (docs/kommo-contract.md §9.5): null
 * outside a card (it is `false` there), in another entity's card, and for a card being created
 * (id 0), where there is no lead to show yet.
 */
export function currentLeadId(
  app: KommoApp | undefined = scope().APP ?? scope().AMOCRM,
): number | null {
  const card = app?.data?.current_card;
  if (typeof card !== 'object' || card === null) return null;
  const { id, element_type: type } = card as { id?: unknown; element_type?: unknown };
  const isLead = Number(type) === LEAD_ELEMENT_TYPE || app?.data?.current_entity === 'leads';
  if (!isLead) return null;
  const leadId = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
  return typeof leadId === 'number' && Number.isSafeInteger(leadId) && leadId > 0 ? leadId : null;
}

/** The Kommo user looking at the page (`system().amouser_id`), or null when it is not a number. */
export function viewerId(widget: Pick<KommoWidget, 'system'>): number | null {
  const id = Number(widget.system().amouser_id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** A manifest i18n text, or `fallback` when Kommo has none for the key. */
export function widgetText(widget: KommoWidget, key: string, fallback: string): string {
  const value = widget.i18n(key);
  return typeof value === 'string' && value !== key && value !== '' ? value : fallback;
}
