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
  get_settings(): { widget_code?: string; path?: string } & Record<string, unknown>;
  system(): { subdomain?: string; amouser_id?: string } & Record<string, unknown>;
};

/** What script.js passes along: our API's address (written in when widget.zip is packed). */
export type WidgetOptions = { apiUrl: string };

/** Kommo's global `APP` (legacy `AMOCRM`): only its language is read. */
export function kommoLanguage(): unknown {
  const app = (globalThis as { APP?: { lang_id?: unknown }; AMOCRM?: { lang_id?: unknown } }).APP;
  return app?.lang_id ?? (globalThis as { AMOCRM?: { lang_id?: unknown } }).AMOCRM?.lang_id;
}

/** A manifest i18n text, or `fallback` when Kommo has none for the key. */
export function widgetText(widget: KommoWidget, key: string, fallback: string): string {
  const value = widget.i18n(key);
  return typeof value === 'string' && value !== key && value !== '' ? value : fallback;
}
