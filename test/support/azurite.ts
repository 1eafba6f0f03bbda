/**
 * Azurite's blob and table services on free loopback ports, in memory, for tests of STORAGE=azure.
 * Start it in `beforeAll`, stop it in `afterAll`; `connectionString` names both endpoints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const AZURITE = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'azurite');
/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const TLS = path.join(__dirname, '..', 'fixtures', 'tls');
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  port: number;
  tablePort: number;
  /** `http://127.0.0.1:<port>/devstoreaccount1`, and the same for tables. */
  blobUrl: string;
  tableUrl: string;
  connectionString: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Azurite exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AzuriteOptions {
  /**
   * HTTPS with the test certificate and bearer tokens checked the way Azure checks their claims
   * (`--oauth basic`: issuer, audience, lifetime; not the signature), as a managed identity would be.
   */
  oauth?: boolean;
  timeoutMs?: number;
  /** Starts it again where a stopped one listened (its data is gone: it is in memory). */
  ports?: { port: number; tablePort: number };
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const oauth =
    options.oauth === true
      ? [
          '--oauth',
          'basic',
          '--cert',
          path.join(TLS, 'server.pem'),
          '--key',
          path.join(TLS, 'server-key.pem'),
        ]
      : [];
  const scheme = options.oauth === true ? 'https' : 'http';
  const port = options.ports?.port ?? (await freePort());
  const tablePort = options.ports?.tablePort ?? (await freePort());
  const queuePort = await freePort();
  const child = spawn(
    AZURITE,
    [
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(tablePort),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queuePort),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      ...oauth,
    ],
    { stdio: 'ignore', cwd: os.tmpdir() },
  );
  try {
    await waitForPort(port, child, timeoutMs);
    await waitForPort(tablePort, child, timeoutMs);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const blobUrl = `${scheme}://127.0.0.1:${port}/${ACCOUNT}`;
  const tableUrl = `${scheme}://127.0.0.1:${tablePort}/${ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=${scheme};AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobUrl};TableEndpoint=${tableUrl};`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
  return { port, tablePort, blobUrl, tableUrl, connectionString, stop };
}
