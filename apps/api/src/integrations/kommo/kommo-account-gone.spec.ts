import { AxiosError, type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { looksLikeAccountGone } from './kommo-account-gone';

const answered = (status: number, data: unknown): AxiosError =>
  new AxiosError('failed', 'ERR_BAD_REQUEST', undefined, undefined, {
    status,
    data,
    headers: {},
  } as AxiosResponse);
const network = (code: string): AxiosError => new AxiosError('failed', code);

describe('looksLikeAccountGone (docs/kommo-contract.md §2.6)', () => {
  it('takes an unknown host, a refused connection and an account 404 for a gone account', () => {
    expect(looksLikeAccountGone(network('ENOTFOUND'))).toBe(true);
    expect(looksLikeAccountGone(network('ECONNREFUSED'))).toBe(true);
    const problem = { title: 'Not Found', status: 404, detail: 'Account not found' };
    expect(looksLikeAccountGone(answered(404, problem))).toBe(true);
    expect(looksLikeAccountGone(answered(404, '<html>No such account</html>'))).toBe(true);
    expect(looksLikeAccountGone(answered(404, ''))).toBe(true);
  });

  it('leaves a missing lead, other statuses and timeouts alone', () => {
    expect(looksLikeAccountGone(answered(404, { detail: 'Lead not found' }))).toBe(false);
    expect(looksLikeAccountGone(answered(404, JSON.stringify({ detail: 'Not Found' })))).toBe(
      false,
    );
    expect(looksLikeAccountGone(answered(401, { detail: 'Account unauthorized' }))).toBe(false);
    expect(looksLikeAccountGone(network('ETIMEDOUT'))).toBe(false);
  });
});
