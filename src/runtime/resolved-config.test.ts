import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { resolveStreamsConfig } from './resolved-config.js';

describe('resolveStreamsConfig', () => {
  it('applies the defaults of each guarantee', () => {
    const alos = resolveStreamsConfig({ applicationId: 'a', brokers: ['localhost:9092'] });
    expect(alos).toMatchObject({ applicationId: 'a', guarantee: 'at_least_once', commitIntervalMs: 1000, maxTaskIdleMs: 0, cacheMaxBytes: 0 });
    expect(resolveStreamsConfig({ applicationId: 'a', brokers: ['b:9092'], guarantee: 'exactly_once' }).commitIntervalMs).toBe(100);
    expect(resolveStreamsConfig({ applicationId: 'a', brokers: ['b:9092'], instanceId: 'i1' }).instanceId).toBe('i1');
  });

  it.each([
    [{ applicationId: '', brokers: ['b:9092'] }, /applicationId is required/],
    [{ applicationId: 'a', brokers: [] }, /brokers are required/],
    [{ applicationId: 'a', brokers: ['b:9092'], guarantee: 'exactly_twice' as never }, /guarantee must be/],
    [{ applicationId: 'a', brokers: ['b:9092'], maxTaskIdleMs: -2 }, /maxTaskIdleMs must be/],
    [{ applicationId: 'a', brokers: ['b:9092'], cacheMaxBytes: 1.5 }, /cacheMaxBytes must be/],
  ])('rejects %j', (config, message) => {
    expect(() => resolveStreamsConfig(config)).toThrow(ConfigError);
    expect(() => resolveStreamsConfig(config)).toThrow(message);
  });
});
