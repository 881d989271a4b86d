import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { TributaryError } from '../../errors.js';
import { SubscriptionInstruction, subscriptionWrapperSerde } from './fk-join-subscription-wrapper.js';
import { responseWrapperSerde } from './fk-join-response-wrapper.js';
import { valueHash } from './fk-join-value-hash.js';

// Expected bytes printed by Kafka Streams 4.3.1's SubscriptionWrapperSerde and SubscriptionResponseWrapperSerde
// (String serdes, hash of "hello").
const T = 'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic';
const hello = valueHash(Buffer.from('hello'));

describe('subscription wrapper', () => {
  const serde = subscriptionWrapperSerde(Serdes.string());

  it('writes hash, instruction, key and partition as Kafka Streams does', () => {
    const wrapper = {
      hash: hello,
      instruction: SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE,
      primaryKey: 'pk1',
      primaryPartition: 3,
    };
    const bytes = serde.serialize(wrapper, T);
    expect(bytes.toString('hex')).toBe('010330bfb4f39919e764566aea857401d1c6706b3100000003');
    expect(serde.deserialize(bytes, T)).toEqual(wrapper);
  });

  it('flags a missing hash in the version byte and leaves the hash out', () => {
    const wrapper = {
      hash: null,
      instruction: SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE,
      primaryKey: 'pk1',
      primaryPartition: 0,
    };
    const bytes = serde.serialize(wrapper, T);
    expect(bytes.toString('hex')).toBe('8101706b3100000000');
    expect(serde.deserialize(bytes, T)).toEqual(wrapper);
  });

  it('uses the instruction bytes of Kafka Streams', () => {
    expect(SubscriptionInstruction).toEqual({
      DELETE_KEY_NO_PROPAGATE: 0,
      DELETE_KEY_AND_PROPAGATE: 1,
      PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
      PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
    });
  });

  it('reads version 0 (no partition) and refuses unknown versions and instructions', () => {
    expect(serde.deserialize(Buffer.from('8000706b31', 'hex'), T)).toEqual({
      hash: null,
      instruction: SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE,
      primaryKey: 'pk1',
      primaryPartition: null,
    });
    expect(() => serde.deserialize(Buffer.from('8201706b3100000000', 'hex'), T)).toThrow(TributaryError);
    expect(() => serde.deserialize(Buffer.from('8109706b3100000000', 'hex'), T)).toThrow(/unknown instruction 9/);
    expect(() => serde.deserialize(Buffer.from('0103ff', 'hex'), T)).toThrow(/too short/);
  });
});

describe('response wrapper', () => {
  const serde = responseWrapperSerde(Serdes.string());

  it('writes hash and right value as Kafka Streams does', () => {
    const bytes = serde.serialize({ originalValueHash: hello, foreignValue: 'fv' }, T);
    expect(bytes.toString('hex')).toBe('0030bfb4f39919e764566aea857401d1c66676');
    expect(serde.deserialize(bytes, T)).toEqual({ originalValueHash: hello, foreignValue: 'fv' });
  });

  it('is one byte when neither hash nor value is present', () => {
    const bytes = serde.serialize({ originalValueHash: null, foreignValue: null }, T);
    expect(bytes.toString('hex')).toBe('80');
    expect(serde.deserialize(bytes, T)).toEqual({ originalValueHash: null, foreignValue: null });
  });

  it('refuses an unknown version and a truncated hash', () => {
    expect(() => serde.deserialize(Buffer.from('05', 'hex'), T)).toThrow(/unknown version 5/);
    expect(() => serde.deserialize(Buffer.from('0030bf', 'hex'), T)).toThrow(/too short/);
  });
});
