// The live settings: defaults, and values that would hammer CFW refused with the variable's name.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('live settings', () => {
  it('defaults to a 5 s poll, 15 s keep-alives, a 2 min failure limit and caps of 50 / 200 / 20,000', () => {
    expect(loadConfig({}).live).toEqual({
      pollIntervalMs: 5_000,
      failureLimitMs: 120_000,
      keepAliveMs: 15_000,
      maxPerConnection: 50,
      maxPerCaller: 200,
      maxPerInstance: 20_000,
    });
  });

  it('refuses a poll interval under 1 s, naming the variable and the range', () => {
    expect(() => loadConfig({ SUBSCRIPTION_POLL_INTERVAL_MS: '200' })).toThrow(ConfigError);
    expect(() => loadConfig({ SUBSCRIPTION_POLL_INTERVAL_MS: '200' })).toThrow(
      'SUBSCRIPTION_POLL_INTERVAL_MS must be a whole number from 1000 to 600000, got "200"',
    );
  });

  it('reads each setting from its variable', () => {
    const live = loadConfig({
      SUBSCRIPTION_POLL_INTERVAL_MS: '2000',
      SUBSCRIPTION_FAILURE_LIMIT_MS: '30000',
      SUBSCRIPTION_KEEPALIVE_MS: '5000',
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
      MAX_SUBSCRIPTIONS_PER_CALLER: '4',
      MAX_SUBSCRIPTIONS_PER_INSTANCE: '5',
    }).live;
    expect(live).toEqual({ pollIntervalMs: 2_000, failureLimitMs: 30_000, keepAliveMs: 5_000, maxPerConnection: 3, maxPerCaller: 4, maxPerInstance: 5 });
  });
});
