import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { groupMessagesPerPartition } from './kafkajs-compat.js';

describe('kafkajs compatibility: linear partition grouping', () => {
  it('groups messages by the partitioner result, in order, as kafkajs does', () => {
    const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }];
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: String(i), partition: i % 3 === 2 ? 2 : i % 2 }));
    const seen: string[] = [];
    const grouped = groupMessagesPerPartition({
      topic: 'out',
      partitionMetadata,
      messages,
      partitioner: ({ topic, message }) => {
        seen.push(topic);
        return (message as { partition: number }).partition;
      },
    });
    expect(seen).toHaveLength(10);
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(grouped[p]).toEqual(messages.filter((m) => m.partition === p));
    expect(groupMessagesPerPartition({ topic: 'out', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });

  it('is the grouping kafkajs uses once the adapter is imported (fresh process)', () => {
    const adapter = fileURLToPath(new URL('./kafkajs-adapter.ts', import.meta.url));
    const compat = fileURLToPath(new URL('./kafkajs-compat.ts', import.meta.url));
    const script = `
      const { createRequire } = await import('node:module');
      await import(${JSON.stringify(adapter)});
      const { groupMessagesPerPartition } = await import(${JSON.stringify(compat)});
      const require = createRequire(${JSON.stringify(adapter)});
      const loaded = require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] !== undefined;
      const used = require('kafkajs/src/producer/groupMessagesPerPartition.js') === groupMessagesPerPartition;
      console.log(JSON.stringify({ loaded, used }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ loaded: true, used: true });
  }, 60_000);
});
