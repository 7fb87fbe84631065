// bigint comes back from pg as a string; the ids and counters we keep in bigint columns (Kommo
// ids, token totals, audit ids) fit in a JS number.
export const bigintNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

export const nullableBigint = {
  to: (v: number | null) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

// numeric comes back from pg as a string; the estimated costs we keep in it (USD, 9 decimals)
// are far inside a double's exact range for what the trace and usage show.
export const nullableNumeric = {
  to: (v: number | null) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

export const numericNumber = { to: (v: number) => v, from: (v: string) => Number(v) };
