// A TCP listener on 127.0.0.1 that accepts connections and never answers: a broker that hangs, or a TLS listener
// met by a client without TLS. For the tests of connect timeouts.
import { createServer, type AddressInfo } from 'node:net';

export async function startSilentListener(): Promise<{ readonly port: number; close(): void }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}
