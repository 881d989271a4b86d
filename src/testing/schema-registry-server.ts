import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySchemaRegistry } from '../serde/avro/in-memory-schema-registry.js';

/**
 * A small schema registry server speaking the subset of Confluent Schema Registry's REST API that Avro serdes
 * and `@kafkajs/confluent-schema-registry` use, for tests and demos:
 * `POST /subjects/{subject}/versions` (register), `POST /subjects/{subject}` (look up),
 * `GET /schemas/ids/{id}`, `GET /subjects`, `GET /subjects/{subject}/versions/{version|latest}`,
 * `GET|PUT /config/{subject}`. Avro only, held in memory ({@link InMemorySchemaRegistry}).
 *
 * It is not Confluent's registry: it checks no compatibility between versions (a compatibility level can be
 * set and read back, nothing more), knows no schema references, no deletes, no modes and no auth. Tributary's
 * integration tests run against it because no Confluent-API registry image or runnable build can be had on the
 * test machines; a test that needs the real server's compatibility rules must use one.
 */
export interface SchemaRegistryServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The registry behind the server, to inspect subjects and versions. */
  readonly registry: InMemorySchemaRegistry;
  /** Requests served so far, as `METHOD path` (to see what a client asked). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a {@link SchemaRegistryServer} on a free loopback port.
 *
 * @example
 * const server = await startSchemaRegistryServer();
 * const registry = confluentSchemaRegistry({ host: server.url });
 * const orders = Serdes.avro<Order>({ registry, schema: orderSchema });
 * // ... run the topology ...
 * await server.close();
 */
export async function startSchemaRegistryServer(registry = new InMemorySchemaRegistry()): Promise<SchemaRegistryServer> {
  const requests: string[] = [];
  const compatibility = new Map<string, string>();
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handle(registry, compatibility, req, res).catch((error: unknown) => reply(res, 500, { error_code: 50001, message: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function handle(registry: InMemorySchemaRegistry, compatibility: Map<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://registry').pathname;
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const [root, name, sub, version] = parts;

  if (method === 'GET' && root === 'schemas' && name === 'ids' && sub !== undefined && parts.length === 3) {
    const schema = registry.sync.schemaById(Number(sub));
    return schema === undefined ? reply(res, 404, { error_code: 40403, message: 'Schema not found' }) : reply(res, 200, { schema });
  }
  if (method === 'GET' && root === 'subjects' && parts.length === 1) return reply(res, 200, registry.subjects());
  if (root === 'subjects' && name !== undefined) {
    if (method === 'POST' && sub === 'versions' && parts.length === 3) {
      const body = await avroSchemaOf(req, res);
      if (body === undefined) return;
      try {
        return reply(res, 200, { id: registry.registerSync(name, body) });
      } catch (error) {
        return reply(res, 422, { error_code: 42201, message: `Invalid schema: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    if (method === 'POST' && parts.length === 2) {
      const body = await avroSchemaOf(req, res);
      if (body === undefined) return;
      if (registry.versions(name).length === 0) return reply(res, 404, { error_code: 40401, message: `Subject '${name}' not found.` });
      let id: number | undefined;
      try {
        id = registry.lookupSync(name, body);
      } catch (error) {
        return reply(res, 422, { error_code: 42201, message: `Invalid schema: ${error instanceof Error ? error.message : String(error)}` });
      }
      if (id === undefined) return reply(res, 404, { error_code: 40403, message: 'Schema not found' });
      return reply(res, 200, versionOf(registry, name, registry.versions(name).indexOf(id) + 1));
    }
    if (method === 'GET' && sub === 'versions' && version !== undefined && parts.length === 4) {
      const versions = registry.versions(name);
      if (versions.length === 0) return reply(res, 404, { error_code: 40401, message: `Subject '${name}' not found.` });
      const n = version === 'latest' || version === '-1' ? versions.length : Number(version);
      if (!Number.isInteger(n) || n < 1 || n > versions.length) return reply(res, 404, { error_code: 40402, message: `Version ${version} not found.` });
      return reply(res, 200, versionOf(registry, name, n));
    }
    if (method === 'GET' && sub === 'versions' && parts.length === 3) {
      const versions = registry.versions(name);
      return versions.length === 0 ? reply(res, 404, { error_code: 40401, message: `Subject '${name}' not found.` }) : reply(res, 200, versions.map((_, i) => i + 1));
    }
  }
  if (root === 'config' && name !== undefined && parts.length === 2) {
    if (method === 'GET') {
      const level = compatibility.get(name);
      return level === undefined ? reply(res, 404, { error_code: 40408, message: `Subject '${name}' does not have subject-level compatibility configured` }) : reply(res, 200, { compatibilityLevel: level });
    }
    if (method === 'PUT') {
      const body = (await jsonBody(req)) as { compatibility?: unknown };
      if (typeof body.compatibility !== 'string') return reply(res, 422, { error_code: 42203, message: 'Invalid compatibility level' });
      compatibility.set(name, body.compatibility.toUpperCase());
      return reply(res, 200, { compatibility: body.compatibility.toUpperCase() });
    }
  }
  if (method === 'GET' && root === 'config' && parts.length === 1) return reply(res, 200, { compatibilityLevel: 'BACKWARD' });
  return reply(res, 404, { error_code: 404, message: `HTTP 404 Not Found: ${method} ${path}` });
}

function versionOf(registry: InMemorySchemaRegistry, subject: string, version: number): object {
  const id = registry.versions(subject)[version - 1]!;
  return { subject, version, id, schema: registry.sync.schemaById(id) };
}

/** The Avro schema text of a register/lookup body; answers 422 itself (and returns undefined) for anything else. */
async function avroSchemaOf(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const body = (await jsonBody(req)) as { schema?: unknown; schemaType?: unknown; references?: unknown };
  if (body.schemaType !== undefined && body.schemaType !== null && body.schemaType !== 'AVRO') {
    reply(res, 422, { error_code: 42201, message: `Only Avro schemas are supported, got ${String(body.schemaType)}` });
    return undefined;
  }
  if (Array.isArray(body.references) && body.references.length > 0) {
    reply(res, 422, { error_code: 42201, message: 'Schema references are not supported' });
    return undefined;
  }
  if (typeof body.schema !== 'string') {
    reply(res, 422, { error_code: 42201, message: 'Invalid schema: the body needs a "schema" string' });
    return undefined;
  }
  return body.schema;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
