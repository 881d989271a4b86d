import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { addMetricsOptions, openMetricsEndpoint } from './metrics-endpoint.js';

describe('CLI metrics endpoint', () => {
  it('parses --metrics-port and --metrics-host', () => {
    const command = addMetricsOptions(new Command('x').exitOverride());
    command.parse(['--metrics-port', '9464', '--metrics-host', '0.0.0.0'], { from: 'user' });
    expect(command.opts()).toEqual({ metricsPort: 9464, metricsHost: '0.0.0.0' });
    expect(() => addMetricsOptions(new Command('y').exitOverride()).parse(['--metrics-port', 'x'], { from: 'user' })).toThrow(/--metrics-port must be an integer/);
  });

  it('serves the process metrics when a port is given, and nothing otherwise', async () => {
    expect(await openMetricsEndpoint({}, silentLogger())).toBeUndefined();
    const endpoint = await openMetricsEndpoint({ metricsPort: 0 }, silentLogger());
    try {
      const body = await (await fetch(endpoint!.server.url)).text();
      expect(body).toContain('process_cpu_user_seconds_total');
      expect(endpoint!.registry.getSingleMetric('nodejs_heap_size_used_bytes')).toBeDefined();
    } finally {
      await endpoint?.server.close();
    }
  });
});
