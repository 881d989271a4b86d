import type { Logger } from 'pino';
import { ProductionError, type ErrorPolicy, type OutgoingRecord } from '../errors.js';
import type { GroupMetadata, ProducerPort, TopicPartitionOffset, TransactionPort } from '../kafka/port.js';
import { classifyTransactionFailure, TransactionFailedError } from '../kafka/transaction-errors.js';
import { requireAllDelivered, resolveRejectedOutputs } from './production-errors.js';

/** What one exactly-once commit puts in its transaction. */
export interface TransactionContents {
  readonly records: readonly OutgoingRecord[];
  readonly changelog: readonly OutgoingRecord[];
  readonly offsets: readonly TopicPartitionOffset[];
  readonly groupId: string;
  /** The generation the offsets were consumed in: the group coordinator refuses them once it has moved on. */
  readonly groupMetadata: GroupMetadata | undefined;
}

/**
 * One exactly-once commit: begin, send the outputs and changelog records, resolve outputs refused one by one
 * through the production policy (their dead letters commit with the rest), add the offsets, commit. Resolves
 * with undefined once committed; on any failure the transaction is aborted and the failure is returned,
 * classified (`fatal` for what doing it again would repeat: the policy said fail, or a changelog record or
 * dead letter was refused), for the caller to recover from or stop on.
 *
 * @example
 * const failure = await commitTransaction(producer, contents, { policy, logger, transactionalId });
 * if (failure?.kind === 'fatal') throw failure;
 */
export async function commitTransaction(
  producer: ProducerPort,
  contents: TransactionContents,
  options: { readonly policy: ErrorPolicy; readonly logger: Logger; readonly transactionalId: string },
): Promise<TransactionFailedError | undefined> {
  let transaction: TransactionPort | undefined;
  try {
    transaction = await producer.beginTransaction();
    // Outputs and changelog records go to different topics: in one transaction their order does not
    // matter, so both are in flight together. Both settle before the transaction is aborted or committed.
    const [outputs, logged] = await Promise.allSettled([transaction.send(contents.records), transaction.send(contents.changelog)]);
    if (outputs.status === 'rejected') throw outputs.reason;
    if (logged.status === 'rejected') throw logged.reason;
    requireAllDelivered(logged.value, 'changelog');
    // Records refused before they were sent leave the transaction untouched: the policy decides about each
    // one, and its dead letter commits with the rest.
    const deadLetters = resolveRejectedOutputs(outputs.value, options.policy, options.logger);
    if (deadLetters.length > 0) requireAllDelivered(await transaction.send(deadLetters), 'dead-letter');
    await transaction.sendOffsets(contents.groupId, contents.offsets, contents.groupMetadata);
    await transaction.commit();
    return undefined;
  } catch (error) {
    await transaction?.abort().catch((e: unknown) => options.logger.debug({ err: e }, 'abort of the failed transaction failed (the new producer aborts it)'));
    const kind = error instanceof ProductionError ? 'fatal' : classifyTransactionFailure(error);
    return new TransactionFailedError(`exactly-once commit failed and was aborted (${kind}): ${error instanceof Error ? error.message : String(error)}`, { transactionalId: options.transactionalId, kind, cause: error });
  }
}
