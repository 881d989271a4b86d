import { describe, expect, it } from 'vitest';
import { deadLetterHeaders } from './dead-letter.js';
import { BadRecordError } from './errors.js';

describe('deadLetterHeaders', () => {
  it('keeps the record headers and adds Kafka Connect error context', () => {
    const record = { topic: 'orders', partition: 3, offset: '42', key: Buffer.from('k'), value: Buffer.from('{oops'), headers: { trace: 'abc' } };
    const error = new BadRecordError('not JSON', { origin: { topic: 'orders', partition: 3, offset: '42' }, stage: 'VALUE_CONVERTER', cause: new SyntaxError('Unexpected token') });
    const headers = deadLetterHeaders(record, error, 'my-sink');
    expect(headers).toMatchObject({
      trace: 'abc',
      '__connect.errors.topic': 'orders',
      '__connect.errors.partition': '3',
      '__connect.errors.offset': '42',
      '__connect.errors.connector.name': 'my-sink',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.exception.class.name': 'SyntaxError',
    });
    expect(headers['__connect.errors.exception.message']).toBe('not JSON (topic orders, partition 3, offset 42)');
  });
});
