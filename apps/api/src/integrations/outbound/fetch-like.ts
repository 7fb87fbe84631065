/** The `fetch` signature the outbound guard wraps and the providers call. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;
