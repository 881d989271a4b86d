import type { Logger } from 'pino';
import { ProductionError, type ErrorPolicy, type FailedRecord, type OutgoingRecord } from '../errors.js';
import type { SendReport } from '../kafka/port.js';

/**
 * Resolves the output records a send refused one by one (see `SendReport`) through the production error
 * policy, record by record, as Kafka Streams' `ProductionExceptionHandler`: returns the dead letters to send
 * before the input offsets move past them; throws the record's error when the policy says fail.
 *
 * @example
 * const deadLetters = resolveRejectedOutputs(await producer.send(records), policies.production, logger);
 * if (deadLetters.length > 0) requireAllDelivered(await producer.send(deadLetters), 'dead-letter');
 */
export function resolveRejectedOutputs(report: SendReport, policy: ErrorPolicy, logger: Logger): OutgoingRecord[] {
  const deadLetters: OutgoingRecord[] = [];
  for (const { record, error } of report.rejected) {
    const decision = policy(error, failedOutput(record), 'production', logger);
    if (decision.action === 'fail') throw error;
    if (decision.deadLetter !== undefined) deadLetters.push(decision.deadLetter);
  }
  return deadLetters;
}

/**
 * Throws when a send that must deliver every record (changelog records: a store restored without one of them
 * would be wrong; dead letters: the record would be lost) had records refused.
 */
export function requireAllDelivered(report: SendReport, what: 'changelog' | 'dead-letter'): void {
  const first = report.rejected[0];
  if (first === undefined) return;
  const why = what === 'changelog' ? 'a store restored without it would be wrong' : 'the failed record would be lost';
  throw new ProductionError(`${report.rejected.length} ${what} record(s) could not be produced, and ${why}: ${first.error.message}`, { topic: first.record.topic, cause: first.error });
}

/**
 * The refused output as the policy sees it: its key, value and headers, at the coordinates of the input it came
 * from (or, for an output of a punctuation, the output topic and partition with offset -1).
 */
function failedOutput(record: OutgoingRecord): FailedRecord {
  const at = record.origin ?? { topic: record.topic, partition: record.partition ?? -1, offset: -1 };
  return { topic: at.topic, partition: at.partition, offset: at.offset, key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers };
}
