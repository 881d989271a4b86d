import type { IHeaders, Producer } from 'kafkajs';
import type { BadRecordError } from './errors.js';
import type { KafkaRecord } from './record.js';

/**
 * Kafka Connect's dead-letter context headers, so tools that read Connect dead-letter topics read ours.
 * The record's own key, value and headers are kept byte for byte.
 */
export function deadLetterHeaders(record: KafkaRecord, error: BadRecordError, connectorName: string): IHeaders {
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

/** Sends bad records to the dead-letter topic and waits for every broker acknowledgement. */
export async function sendToDeadLetter(
  producer: Producer,
  topic: string,
  rejected: readonly { record: KafkaRecord; error: BadRecordError }[],
  connectorName: string,
  contextHeaders: boolean,
): Promise<void> {
  if (rejected.length === 0) return;
  await producer.send({
    topic,
    acks: -1,
    messages: rejected.map(({ record, error }) => ({
      key: record.key,
      value: record.value,
      headers: contextHeaders ? deadLetterHeaders(record, error, connectorName) : { ...(record.headers ?? {}) },
    })),
  });
}
