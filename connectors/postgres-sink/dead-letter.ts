import type { ProducerPort } from '../../src/kafka/port.js';
import type { Headers } from '../../src/processor/headers.js';
import type { BadRecordError } from './errors.js';
import type { KafkaRecord } from './record.js';

/**
 * Kafka Connect's dead-letter context headers, so tools that read Connect dead-letter topics read ours.
 * The record's own key, value and headers are kept byte for byte.
 */
export function deadLetterHeaders(record: KafkaRecord, error: BadRecordError, connectorName: string): Headers {
  const cause = error.cause instanceof Error ? error.cause : error;
  return {
    ...(record.headers ?? {}),
    '__connect.errors.topic': record.topic,
    '__connect.errors.partition': String(record.partition),
    '__connect.errors.offset': record.offset,
    '__connect.errors.connector.name': connectorName,
    '__connect.errors.task.id': '0',
    '__connect.errors.stage': error.stage,
    '__connect.errors.class.name': 'tributary.PostgresSink',
    '__connect.errors.exception.class.name': cause.name,
    '__connect.errors.exception.message': error.message,
    '__connect.errors.exception.stacktrace': error.stack ?? error.message,
  };
}

/**
 * Sends bad records to the dead-letter topic and waits for every broker acknowledgement (the port's producer is
 * idempotent and waits for all in-sync replicas). A dead letter Kafka refuses in turn (too large for the topic)
 * fails the send: its record would otherwise be lost.
 */
export async function sendToDeadLetter(
  producer: ProducerPort,
  topic: string,
  rejected: readonly { record: KafkaRecord; error: BadRecordError }[],
  connectorName: string,
  contextHeaders: boolean,
): Promise<void> {
  if (rejected.length === 0) return;
  const timestamp = Date.now();
  const report = await producer.send(
    rejected.map(({ record, error }) => ({
      topic,
      key: record.key,
      value: record.value,
      timestamp,
      headers: contextHeaders ? deadLetterHeaders(record, error, connectorName) : { ...(record.headers ?? {}) },
    })),
  );
  if (report.rejected.length > 0) throw report.rejected[0]!.error;
}
