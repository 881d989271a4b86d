import { describe, expect, it } from 'vitest';
import {
  asStreamsError,
  atRecord,
  DeadLetterHeaders,
  deadLetter,
  DeserializationError,
  logAndContinue,
  logAndFail,
  ProcessingError,
  StreamsError,
  TopologyError,
  type FailedRecord,
} from './errors.js';
import { silentLogger } from './logger.js';

const failed: FailedRecord = { topic: 'in', partition: 2, offset: 41, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 5, headers: { trace: 't1' } };

describe('errors', () => {
  it('carry data, a retriable flag and the cause', () => {
    const cause = new SyntaxError('bad json');
    const error = new DeserializationError('cannot deserialize', { ...atRecord(failed), cause });
    expect(error).toBeInstanceOf(StreamsError);
    expect(error.name).toBe('DeserializationError');
    expect(error.message).toBe('cannot deserialize (topic in, partition 2, offset 41)');
    expect([error.topic, error.partition, error.offset, error.retriable, error.cause]).toEqual(['in', 2, 41, false, cause]);
    expect(new TopologyError('x', { nodeName: 'node-1' }).context).toMatchObject({ nodeName: 'node-1' });
    expect(new StreamsError('busy', { retriable: true }).retriable).toBe(true);
  });

  it('asStreamsError keeps StreamsErrors and wraps anything else', () => {
    const own = new ProcessingError('boom', { nodeName: 'n' });
    expect(asStreamsError(own, () => new StreamsError('never'))).toBe(own);
    const wrapped = asStreamsError('text', (message, cause) => new ProcessingError(message, { nodeName: 'n', ...atRecord(failed), cause }));
    expect(wrapped).toBeInstanceOf(ProcessingError);
    expect(wrapped.message).toBe('text (node n, topic in, partition 2, offset 41)');
  });

  it('policies: logAndFail fails, logAndContinue continues, deadLetter produces the original bytes with error headers', () => {
    const logger = silentLogger();
    const error = new DeserializationError('bad', atRecord(failed));
    expect(logAndFail()(error, failed, 'deserialization', logger)).toEqual({ action: 'fail' });
    expect(logAndContinue()(error, failed, 'deserialization', logger)).toEqual({ action: 'continue' });
    const decision = deadLetter('dlq')(error, failed, 'deserialization', logger);
    expect(decision).toEqual({
      action: 'continue',
      deadLetter: {
        topic: 'dlq',
        key: failed.key,
        value: failed.value,
        timestamp: 5,
        headers: {
          trace: 't1',
          [DeadLetterHeaders.errorClass]: 'DeserializationError',
          [DeadLetterHeaders.errorMessage]: 'bad (topic in, partition 2, offset 41)',
          [DeadLetterHeaders.phase]: 'deserialization',
          [DeadLetterHeaders.topic]: 'in',
          [DeadLetterHeaders.partition]: '2',
          [DeadLetterHeaders.offset]: '41',
        },
      },
    });
  });
});
