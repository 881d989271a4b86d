import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMetricsPort, serveMetrics, type MetricsServer } from './http.js';

describe('serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the registry as Prometheus text at /metrics and nothing elsewhere', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    server = await serveMetrics(registry, { port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe(registry.contentType);
    expect(await ok.text()).toContain('demo_total 3');
    const missing = await fetch(`http://127.0.0.1:${server.port}/other`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('parses a port option', () => {
    expect(parseMetricsPort('9464')).toBe(9464);
    expect(() => parseMetricsPort('http')).toThrow(/--metrics-port/);
    expect(() => parseMetricsPort('70000')).toThrow(/--metrics-port/);
  });
});
