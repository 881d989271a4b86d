import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readCdcConfigFile, registerCdcCommand } from './cdc.js';

async function file(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cdc-cli-'));
  const path = join(dir, 'cdc.json');
  await writeFile(path, content);
  return path;
}

describe('tributary cdc config file', () => {
  it('reads flat Debezium keys and Kafka Connect {name, config} files', async () => {
    expect(await readCdcConfigFile(await file('{"topic.prefix":"p","database.port":5432,"tombstones.on.delete":false}'))).toEqual({
      'topic.prefix': 'p', 'database.port': 5432, 'tombstones.on.delete': false,
    });
    expect(await readCdcConfigFile(await file('{"name":"inventory","config":{"topic.prefix":"p"}}'))).toEqual({ name: 'inventory', 'topic.prefix': 'p' });
  });

  it('explains bad files', async () => {
    await expect(readCdcConfigFile('/nonexistent/cdc.json')).rejects.toThrow(/cannot read config file/);
    await expect(readCdcConfigFile(await file('{nope'))).rejects.toThrow(/not valid JSON/);
    await expect(readCdcConfigFile(await file('[1]'))).rejects.toThrow(/must hold a JSON object/);
    await expect(readCdcConfigFile(await file('{"table.include.list":["a"]}'))).rejects.toThrow(/table.include.list: expected a string/);
  });

  it('registers `cdc --config <file>` with the metrics endpoint options', () => {
    const program = new Command('tributary');
    registerCdcCommand(program);
    const cdc = program.commands.find((c) => c.name() === 'cdc');
    expect(cdc?.options.map((o) => o.long)).toEqual(['--config', '--metrics-port', '--metrics-host']);
  });
});
