import { describe, expect, it } from 'vitest';
import { decodeTxnOffsetCommitV3Response, encodeTxnOffsetCommitV3, failedPartitions, MalformedResponseError } from './txn-offset-commit-v3.js';

/** Hex bytes, one group per line; on each line, the words after the first that is not hex are a comment. */
const hex = (s: string): Buffer => {
  const bytes: string[] = [];
  for (const line of s.split('\n')) {
    for (const word of line.trim().split(/\s+/)) {
      if (!/^([0-9a-f]{2})+$/.test(word)) break;
      bytes.push(word);
    }
  }
  return Buffer.from(bytes.join(''), 'hex');
};

describe('TxnOffsetCommit v3', () => {
  it('encodes a request with compact strings, the group generation and empty tagged fields', () => {
    const bytes = encodeTxnOffsetCommitV3({
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 5n,
      producerEpoch: 1,
      generationId: 7,
      memberId: 'm',
      topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }],
    });
    expect(bytes.toString('hex')).toBe(
      hex(`
        03 7478                   transactional_id 'tx'
        02 67                     group_id 'g'
        0000000000000005          producer_id
        0001                      producer_epoch
        00000007                  generation_id
        02 6d                     member_id 'm'
        00                        group_instance_id null
        02                        one topic
          03 696e                 name 'in'
          02                      one partition
            00000000              partition_index
            000000000000002a      committed_offset
            ffffffff              committed_leader_epoch -1
            00                    committed_metadata null
            00                    tagged fields
          00                      tagged fields
        00                        tagged fields
      `).toString('hex'),
    );
  });

  it('writes a static member id, a leader epoch, metadata and multi-byte lengths', () => {
    const member = 'm'.repeat(200);
    const bytes = encodeTxnOffsetCommitV3({
      transactionalId: 't',
      groupId: 'g',
      producerId: 9007199254740993n,
      producerEpoch: -1,
      generationId: -1,
      memberId: member,
      groupInstanceId: 'i',
      topics: [{ topic: 'a', partitions: [{ partition: 3, offset: 1, leaderEpoch: 4, metadata: 'x' }] }],
    });
    const expected = Buffer.concat([
      hex('02 74 02 67'),
      hex('0020000000000001 ffff ffffffff'),
      hex('c901'), // 201 = 200 + 1 as an unsigned varint
      Buffer.from(member),
      hex('02 69'),
      hex('02 02 61 02 00000003 0000000000000001 00000004 02 78 00 00 00'),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('decodes a response with per-partition errors, skipping tagged fields', () => {
    const response = decodeTxnOffsetCommitV3Response(
      hex(`
        01 00 02 aabb       header: one tagged field (tag 0, two bytes)
        00000064            throttle_time_ms 100
        02                  one topic
          03 696e           'in'
          04                three partitions
            00000000 0016 00     ILLEGAL_GENERATION
            00000001 0000 00     no error
            00000002 0019 00     UNKNOWN_MEMBER_ID
          00
        00
      `),
    );
    expect(response).toEqual({
      throttleTimeMs: 100,
      topics: [{ topic: 'in', partitions: [{ partition: 0, errorCode: 22 }, { partition: 1, errorCode: 0 }, { partition: 2, errorCode: 25 }] }],
    });
    expect(failedPartitions(response)).toEqual([
      { topic: 'in', partition: 0, errorCode: 22 },
      { topic: 'in', partition: 2, errorCode: 25 },
    ]);
  });

  it('rejects a truncated response and trailing bytes', () => {
    expect(() => decodeTxnOffsetCommitV3Response(hex('00 00000000 02 03 696e 02 00000000'))).toThrow(MalformedResponseError);
    expect(() => decodeTxnOffsetCommitV3Response(hex('00 00000000 01 00 ff'))).toThrow(/1 bytes after the response/);
  });
});
