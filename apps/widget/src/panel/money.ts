/** An estimated cost in dollars for people: cents, and "< US$ 0.01" for a small non-zero one. */
export function formatUsd(value: number): string {
  if (value > 0 && value < 0.01) return '< US$ 0.01';
  return `US$ ${value.toFixed(2)}`;
}

/** The cap input's text as dollars: null for empty (no cap), NaN for anything not in cents. */
export function parseCap(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(trimmed)) return Number.NaN;
  const value = Number(trimmed);
  return value >= 0.01 && value <= 1_000_000 ? value : Number.NaN;
}
