import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { describeTopologyModule } from './describe.js';
import { loadTopologyModule } from './topology-module.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

// The first import of a fixture compiles it (vitest's transform): generous time on a loaded machine.
describe('loadTopologyModule', { timeout: 30_000 }, () => {
  it('calls a default-exported function for the topology', async () => {
    const topology = await loadTopologyModule('uppercase.topology.ts', fixtures);
    expect(topology.describe().toString()).toContain('(topics: [words])');
  });

  it('takes a default-exported topology as it is', async () => {
    const topology = await loadTopologyModule('built.topology.ts', fixtures);
    expect(topology.describe().toString()).toContain('(stores: [clicks-per-user])');
  });

  it.each([
    ['missing.mjs', /does not exist/],
    ['no-default.ts', /has no default export/],
    ['not-a-topology.ts', /is not a topology/],
    ['throws.topology.ts', /failed: no topology today/],
  ])('rejects %s with a ConfigError that says why', async (module, message) => {
    const failure = loadTopologyModule(module, fixtures);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(message);
  });
});

describe('describeTopologyModule', () => {
  it("prints Kafka Streams' text layout, or Mermaid", async () => {
    const module = `${fixtures}uppercase.topology.ts`;
    expect(await describeTopologyModule(module)).toMatch(/^Topologies:\n {3}Sub-topology: 0\n/);
    const mermaid = await describeTopologyModule(module, { mermaid: true });
    expect(mermaid).toContain('flowchart');
    expect(mermaid).toContain('words');
  });
});
