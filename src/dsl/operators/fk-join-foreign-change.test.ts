import { describe, expect, it } from 'vitest';
import { responsesForForeignChange } from './fk-join-foreign-change.js';
import { SubscriptionInstruction as I } from './fk-join-subscription-wrapper.js';
import { valueHash } from './fk-join-value-hash.js';

const h1 = valueHash(Buffer.from('o1-value'));
const h2 = valueHash(Buffer.from('o2-value'));
const subscribers = [
  { hash: h1, instruction: I.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, primaryKey: 'o1', primaryPartition: 0 },
  { hash: h2, instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE, primaryKey: 'o2', primaryPartition: 1 },
];

describe('foreign-key join, right-row change', () => {
  it('answers every subscriber with its own hash and the new right value', () => {
    expect(responsesForForeignChange(subscribers, 'Ada')).toEqual([
      { primaryKey: 'o1', response: { originalValueHash: h1, foreignValue: 'Ada' } },
      { primaryKey: 'o2', response: { originalValueHash: h2, foreignValue: 'Ada' } },
    ]);
  });

  it('a right delete answers every subscriber with null; no subscribers, no responses', () => {
    expect(responsesForForeignChange(subscribers, null).map((r) => r.response.foreignValue)).toEqual([null, null]);
    expect(responsesForForeignChange([], 'Ada')).toEqual([]);
  });
});
