/**
 * Puts `text` on the clipboard. The async Clipboard API needs a secure context and the page's
 * permission; Kommo's page may refuse it, so the old selection-and-copy path is the fallback.
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    if (globalThis.navigator?.clipboard) {
      await globalThis.navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection path
  }
  const area = doc.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  doc.body.appendChild(area);
  area.select();
  try {
    return doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
