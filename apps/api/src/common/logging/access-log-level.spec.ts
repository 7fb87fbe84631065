import { describe, expect, it } from 'vitest';
import { accessLogLevel } from './access-log-level';

describe('accessLogLevel', () => {
  it('puts an acknowledged webhook at debug, its row being the record', () => {
    expect(accessLogLevel({ url: '/AbC123secret/handler?model=x' }, { statusCode: 200 })).toBe(
      'debug',
    );
    expect(accessLogLevel({ url: '/AbC123secret/widget-request' }, { statusCode: 200 })).toBe(
      'debug',
    );
  });

  it('keeps refusals, failures and every other route at info', () => {
    expect(accessLogLevel({ url: '/AbC123secret/handler' }, { statusCode: 404 })).toBe('info');
    expect(accessLogLevel({ url: '/AbC123secret/handler' }, { statusCode: 503 })).toBe('info');
    expect(
      accessLogLevel({ url: '/AbC123secret/handler' }, { statusCode: 200 }, new Error('x')),
    ).toBe('info');
    expect(accessLogLevel({ url: '/widget-api/settings' }, { statusCode: 200 })).toBe('info');
    expect(accessLogLevel({ url: '/kommo/events/AbC123secret' }, { statusCode: 200 })).toBe('info');
    expect(accessLogLevel({}, { statusCode: 200 })).toBe('info');
  });
});
