import { describe, expect, it } from 'vitest';
import { brokerEnvironment, parseBrokers, startKafka } from './kafka-service.js';

describe('startKafka configuration', () => {
  it('reads KAFKA_BROKERS as a comma-separated list', () => {
    expect(parseBrokers(' a:9092, b:9093 ,')).toEqual(['a:9092', 'b:9093']);
    expect(parseBrokers('')).toBeUndefined();
    expect(parseBrokers(undefined)).toBeUndefined();
  });

  it('uses the brokers of KAFKA_BROKERS without starting a container', async () => {
    const kafka = await startKafka({ env: { KAFKA_BROKERS: 'kafka.example:9092' } });
    expect(kafka.brokers).toEqual(['kafka.example:9092']);
    expect(kafka.source).toBe('environment');
    await kafka.stop();
  });

  it('advertises the host port the container listener is published on', () => {
    const env = brokerEnvironment('localhost', 41234);
    expect(env['KAFKA_ADVERTISED_LISTENERS']?.split(',')).toContain('PLAINTEXT://localhost:41234');
    // Inter-broker traffic must not use the host-facing address, which the broker cannot reach from inside.
    expect(env['KAFKA_INTER_BROKER_LISTENER_NAME']).not.toBe('PLAINTEXT');
    expect(env['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(env['KAFKA_LISTENERS']).toContain('PLAINTEXT://0.0.0.0:9092');
  });
});
