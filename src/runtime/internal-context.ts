import type { Headers } from '../processor/record.js';
import type { ProcessorContext } from '../processor/processor.js';
import type { StreamsError } from '../errors.js';

/**
 * The context sink processors get: a ProcessorContext plus the task's record collector.
 * User processors never see these members.
 */
export interface InternalProcessorContext<KOut = unknown, VOut = unknown> extends ProcessorContext<KOut, VOut> {
  /** Buffers an output record until commit. `topic` is the full topic name. */
  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, partition?: number): void;
  /** Full Kafka name of a topic as written in the graph (internal topics get the application-id prefix). */
  resolveTopic(topic: string, internal: boolean): string;
  /** Partition count of a topic (full name) for a StreamPartitioner; -1 when unknown. */
  partitionCount(topic: string): number;
  /** Applies the production error policy; throws when the policy says fail. */
  reportProductionError(error: StreamsError): void;
  /** The input topic of the record being processed. */
  sourceTopic(): string | undefined;
}
