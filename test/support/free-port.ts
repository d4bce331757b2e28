// A loopback port nothing listens on, for processes that must be told their port up front (HEALTH_PORT=0 turns the endpoints off).
import { createServer, type AddressInfo } from 'node:net';

/** Asks the OS for a free port on 127.0.0.1 and releases it at once (the caller starts its server right away). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
