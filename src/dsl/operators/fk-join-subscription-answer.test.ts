import { describe, expect, it } from 'vitest';
import { answerSubscription } from './fk-join-subscription-answer.js';
import { SubscriptionInstruction as I, type SubscriptionInstruction } from './fk-join-subscription-wrapper.js';
import { valueHash } from './fk-join-value-hash.js';

const hash = valueHash(Buffer.from('left'));
const sub = (instruction: SubscriptionInstruction) => ({ hash, instruction, primaryKey: 'pk', primaryPartition: 0 });
const right = { value: 'R', timestamp: 7 };

describe('foreign-key join subscription answers', () => {
  it('answers with the right value and the later timestamp', () => {
    expect(answerSubscription(sub(I.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE), 5, right)).toEqual({
      response: { originalValueHash: hash, foreignValue: 'R' },
      timestamp: 7,
    });
    expect(answerSubscription(sub(I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE), 9, right)?.timestamp).toBe(9);
  });

  it('without a right row, answers null only when asked to', () => {
    expect(answerSubscription(sub(I.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE), 5, null)).toBeNull();
    expect(answerSubscription(sub(I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE), 5, null)).toEqual({
      response: { originalValueHash: hash, foreignValue: null },
      timestamp: 5,
    });
  });

  it('a delete that propagates answers null even when the right row exists; one that does not, answers nothing', () => {
    expect(answerSubscription(sub(I.DELETE_KEY_AND_PROPAGATE), 5, right)).toEqual({
      response: { originalValueHash: hash, foreignValue: null },
      timestamp: 7,
    });
    expect(answerSubscription(sub(I.DELETE_KEY_NO_PROPAGATE), 5, right)).toBeNull();
  });
});
