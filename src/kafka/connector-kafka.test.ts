import { describe, expect, it, vi } from 'vitest';
import type { KafkajsAdapterOptions } from './kafkajs-adapter.js';

const created = vi.hoisted(() => [] as unknown[]);
vi.mock('./kafkajs-adapter.js', () => ({ kafkajsAdapter: (options: unknown) => void created.push(options) }));

const { connectorKafka } = await import('./connector-kafka.js');

const last = (): KafkajsAdapterOptions => created.at(-1) as KafkajsAdapterOptions;

describe('connectorKafka', () => {
  it("'brief' outages: a short client retry, no port retry loop, and the client's own logs off when asked", () => {
    connectorKafka({ brokers: ['b:9092'], clientId: 'cdc', outages: 'brief', clientLogs: false });
    expect(last()).toEqual({
      brokers: ['b:9092'],
      clientId: 'cdc',
      retry: { retries: 0 },
      kafkaConfig: { connectionTimeout: 3000, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 }, logLevel: 0 },
    });
  });

  it("by default the port's own retries and the client's logs, and the caller's settings win", () => {
    connectorKafka({ brokers: ['b:9092'], clientId: 'sink' });
    expect(last()).toEqual({ brokers: ['b:9092'], clientId: 'sink', kafkaConfig: {} });
    connectorKafka({ brokers: ['b:9092'], outages: 'brief', kafkaConfig: { connectionTimeout: 10_000 } });
    expect(last().kafkaConfig).toMatchObject({ connectionTimeout: 10_000, retry: { retries: 5 } });
  });
});
