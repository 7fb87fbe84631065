import { describe, expect, it } from 'vitest';
import { parseMaxmemoryPolicy } from './redis.preflight';

describe('parseMaxmemoryPolicy', () => {
  it('finds the policy among the other memory lines', () => {
    const info =
      '# Memory\r\nused_memory:1000\r\nmaxmemory_policy:allkeys-lru\r\nmem_fragmentation_ratio:1.2\r\n';
    expect(parseMaxmemoryPolicy(info)).toBe('allkeys-lru');
  });

  it('is undefined when the server does not report one', () => {
    expect(parseMaxmemoryPolicy('# Memory\nused_memory:1\n')).toBeUndefined();
  });
});
