import { describe, expect, it } from 'vitest';
import { configSecrets, maskingStream, secretMasker } from './secrets.js';

describe('CLI secrets', () => {
  it('finds the password keys and the passwords inside URLs', () => {
    expect(configSecrets({ 'database.password': 'p4ss', 'database.url': 'postgres://u:s%40cret@h/db', 'database.user': 'u', port: 5432 }).sort()).toEqual(['p4ss', 's%40cret', 's@cret']);
    expect(configSecrets({ 'database.url': 'not a url' })).toEqual([]);
  });

  it('finds the Kafka passwords: sasl.password, ssl.key.password and the password inside sasl.jaas.config', () => {
    const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="j\\"aas-pw";';
    expect(configSecrets({ 'sasl.password': 'sasl-pw', 'ssl.key.password': 'key-pw', 'sasl.jaas.config': jaas, 'sasl.username': 'app' })).toEqual(
      expect.arrayContaining(['sasl-pw', 'key-pw', 'j\\"aas-pw', 'j"aas-pw']),
    );
  });

  it('masks every form of a secret in a line', () => {
    const mask = secretMasker(['s"cret/1']);
    expect(mask('a s"cret/1 b')).toBe('a *** b');
    expect(mask(JSON.stringify({ msg: 'pw s"cret/1' }))).toBe('{"msg":"pw ***"}');
    expect(mask(`url postgres://u:${encodeURIComponent('s"cret/1')}@h`)).toBe('url postgres://u:***@h');
    const written: string[] = [];
    maskingStream(mask, { write: (c: string) => written.push(c) > 0 } as never).write('x s"cret/1\n');
    expect(written).toEqual(['x ***\n']);
  });
});
