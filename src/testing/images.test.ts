import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KAFKA_IMAGE, DEFAULT_POSTGRES_IMAGE, KAFKA_VERSION, kafkaImage, postgresImage } from './images.js';

describe('service images', () => {
  it('default to the official images', () => {
    expect(kafkaImage({})).toBe(DEFAULT_KAFKA_IMAGE);
    expect(DEFAULT_KAFKA_IMAGE).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(postgresImage({})).toBe(DEFAULT_POSTGRES_IMAGE);
  });

  it('are replaced by TRIBUTARY_KAFKA_IMAGE and TRIBUTARY_POSTGRES_IMAGE, ignoring blank values', () => {
    expect(kafkaImage({ TRIBUTARY_KAFKA_IMAGE: 'tributary/kafka:local' })).toBe('tributary/kafka:local');
    expect(postgresImage({ TRIBUTARY_POSTGRES_IMAGE: ' pg:15 ' })).toBe('pg:15');
    expect(kafkaImage({ TRIBUTARY_KAFKA_IMAGE: '  ' })).toBe(DEFAULT_KAFKA_IMAGE);
  });

  it('name the same Kafka release as the local image build', () => {
    const pom = readFileSync(new URL('../../test/env/kafka-jars/pom.xml', import.meta.url), 'utf8');
    expect(/<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]).toBe(KAFKA_VERSION);
  });
});
