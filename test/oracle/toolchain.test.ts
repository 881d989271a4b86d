import { describe, expect, it } from 'vitest';
import { javaMajorVersion, missingToolchain, OracleToolchainError, requireOracleToolchain, type CommandOutcome } from './toolchain.js';

const answers =
  (table: Record<string, CommandOutcome>) =>
  (command: string): CommandOutcome =>
    table[command] ?? { missing: true };
const java17: CommandOutcome = { missing: false, status: 0, output: 'openjdk version "17.0.15" 2025-04-15\n' };
const maven: CommandOutcome = { missing: false, status: 0, output: 'Apache Maven 3.8.7\n' };

describe('the oracle toolchain check', () => {
  it('reads the Java major version, old and new style', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('no version here')).toBeUndefined();
  });

  it('finds nothing missing with Java 17 and Maven', () => {
    expect(missingToolchain(answers({ java: java17, mvn: maven }))).toEqual([]);
  });

  it('names what is missing: java, an old Java, mvn', () => {
    expect(missingToolchain(answers({ mvn: maven }))).toEqual(['java (Java 17 or newer)']);
    expect(missingToolchain(answers({ java: { missing: false, status: 0, output: 'java version "1.8.0_392"' }, mvn: maven }))).toEqual([
      'Java 17 or newer (java -version reports 8)',
    ]);
    expect(missingToolchain(answers({ java: java17 }))).toEqual(['mvn (Maven)']);
  });

  it('fails with a message that says what to install', () => {
    const check = () => requireOracleToolchain(answers({}));
    expect(check).toThrow(OracleToolchainError);
    expect(check).toThrow(/need Java 17 or newer and Maven on the PATH; missing: java \(Java 17 or newer\), mvn \(Maven\)\. Install them/);
  });
});
