// The one allowed conditional: where the Redis suite gets its Redis, and when it may not run.
import { describe, expect, it } from '@jest/globals';
import { isCi } from './ci.ts';
import { redisPlanFor } from './redis.ts';

const SUITE = '"the Redis suite"';

describe('redisPlanFor', () => {
  it('uses REDIS_URL when it is set, whether or not redis-server is on PATH or CI is set', () => {
    expect(redisPlanFor({ REDIS_URL: 'redis://10.0.0.5:6379' }, false, SUITE)).toEqual({ kind: 'url', url: 'redis://10.0.0.5:6379' });
    expect(redisPlanFor({ REDIS_URL: ' redis://h:1 ', CI: 'true' }, true, SUITE)).toEqual({ kind: 'url', url: 'redis://h:1' });
  });

  it('starts its own redis-server when one is on PATH', () => {
    expect(redisPlanFor({}, true, SUITE)).toEqual({ kind: 'spawn' });
    expect(redisPlanFor({ REDIS_URL: '', CI: 'true' }, true, SUITE)).toEqual({ kind: 'spawn' });
  });

  it('does not run the suite without Redis outside CI, in one line naming the suite and the install command', () => {
    const plan = redisPlanFor({ REDIS_URL: '  ' }, false, SUITE);
    expect(plan).toEqual({
      kind: 'not-run',
      line: 'Not run: "the Redis suite" (no redis-server on PATH, no REDIS_URL). To run it: apt-get install redis-server',
    });
    expect(plan.kind === 'not-run' && plan.line.includes('\n')).toBe(false);
  });

  it('fails under CI without Redis, so CI always exercises it', () => {
    expect(redisPlanFor({ CI: 'true' }, false, SUITE)).toEqual({
      kind: 'missing',
      message:
        'redis-server is not on PATH and REDIS_URL is not set: under CI the Redis suite ("the Redis suite") must run (apt-get install redis-server; .ci/run does it)',
    });
    expect(redisPlanFor({ CI: '1' }, false, SUITE).kind).toBe('missing');
  });
});

describe('isCi', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['TRUE', true],
    [undefined, false],
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['0', false],
  ])('CI=%j is %j', (value, expected) => {
    expect(isCi(value)).toBe(expected);
  });
});
