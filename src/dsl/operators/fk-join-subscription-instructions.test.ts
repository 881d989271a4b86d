import { describe, expect, it } from 'vitest';
import { Change } from '../../processor/change.js';
import { planSubscriptions } from './fk-join-subscription-instructions.js';
import { SubscriptionInstruction as I } from './fk-join-subscription-wrapper.js';

// Values are foreign keys themselves ('-' stands for a null foreign key), so the extractor is the identity.
const extract = (_k: string, v: string): string | null => (v === '-' ? null : v);
const ser = (fk: string): Buffer => Buffer.from(fk);
const plan = (next: string | null, prev: string | null, left: boolean) =>
  planSubscriptions('pk', new Change(next, prev), extract, ser, left);

describe('foreign-key join subscriptions, inner join', () => {
  it('an insert subscribes and answers only when the right row exists', () => {
    expect(plan('a', null, false).send).toEqual([{ foreignKey: 'a', instruction: I.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE }]);
  });
  it('an update keeping the foreign key answers only when the right row exists', () => {
    expect(plan('a', 'a', false).send).toEqual([{ foreignKey: 'a', instruction: I.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE }]);
  });
  it('a foreign-key change unsubscribes the old key silently and asks the new one for an answer even if null', () => {
    expect(plan('b', 'a', false).send).toEqual([
      { foreignKey: 'a', instruction: I.DELETE_KEY_NO_PROPAGATE },
      { foreignKey: 'b', instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE },
    ]);
  });
  it('a delete unsubscribes and propagates; a delete of a missing row sends nothing', () => {
    expect(plan(null, 'a', false).send).toEqual([{ foreignKey: 'a', instruction: I.DELETE_KEY_AND_PROPAGATE }]);
    expect(plan(null, null, false).send).toEqual([]);
  });
  it('a null foreign key is dropped, retracting the old subscription if there was one', () => {
    expect(plan('-', 'a', false)).toEqual({
      send: [{ foreignKey: 'a', instruction: I.DELETE_KEY_AND_PROPAGATE }],
      droppedForNullForeignKey: true,
    });
    expect(plan('-', null, false)).toEqual({ send: [], droppedForNullForeignKey: true });
  });
});

describe('foreign-key join subscriptions, left join', () => {
  it('every change asks for an answer, also with a null foreign key and on delete', () => {
    expect(plan('a', null, true).send).toEqual([{ foreignKey: 'a', instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE }]);
    expect(plan('-', null, true)).toEqual({
      send: [{ foreignKey: null, instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE }],
      droppedForNullForeignKey: false,
    });
    expect(plan(null, 'a', true).send).toEqual([
      { foreignKey: 'a', instruction: I.DELETE_KEY_NO_PROPAGATE },
      { foreignKey: null, instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE },
    ]);
  });
  it('a foreign-key change unsubscribes the old key; an unchanged key does not', () => {
    expect(plan('b', 'a', true).send).toEqual([
      { foreignKey: 'a', instruction: I.DELETE_KEY_NO_PROPAGATE },
      { foreignKey: 'b', instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE },
    ]);
    expect(plan('a', 'a', true).send).toEqual([{ foreignKey: 'a', instruction: I.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE }]);
  });
  it('a delete of a missing row sends nothing', () => {
    expect(plan(null, null, true).send).toEqual([]);
  });
});
