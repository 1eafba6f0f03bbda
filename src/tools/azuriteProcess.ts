/**
 * Azurite (the Azure Storage emulator from node_modules) on free loopback ports, in memory, for
 * `npm run bench` and the tests of STORAGE=azure: the Blob and Table services of its well-known development account. Started
 * directly, not through npx, so stopping it stops the emulator itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** node_modules/.bin/azurite of the nearest folder above this file that has one (built or not). */
function azuriteBin(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', 'azurite');
    if (fs.existsSync(bin)) return bin;
    if (path.dirname(dir) === dir) throw new Error('Azurite is not installed (node_modules/.bin/azurite)');
  }
}
/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteProcess {
  /** The Blob and Table services' ports. */
  port: number;
  tablePort: number;
  /** `http://127.0.0.1:<port>/devstoreaccount1` (https with `tls`), and the same for tables. */
  blobUrl: string;
  tableUrl: string;
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteProcessOptions {
  timeoutMs?: number;
  /**
   * HTTPS with this certificate, and bearer tokens checked the way Azure checks their claims
   * (`--oauth basic`: issuer, audience, lifetime; not the signature), as a managed identity's are.
   */
  tls?: { certPath: string; keyPath: string };
  /** Starts it again where a stopped one listened (its data is gone: it is in memory). */
  ports?: { port: number; tablePort: number };
}

/** A port on 127.0.0.1 that was free a moment ago (listen on 0, close, reuse). */
export async function freePort(): Promise<number> {
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

export async function startAzuriteProcess(options: AzuriteProcessOptions = {}): Promise<AzuriteProcess> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const port = options.ports?.port ?? (await freePort());
  const tablePort = options.ports?.tablePort ?? (await freePort());
  const queuePort = await freePort();
  const tls = options.tls;
  const scheme = tls === undefined ? 'http' : 'https';
  const child = spawn(
    azuriteBin(),
    [
      ...['--blobHost', '127.0.0.1', '--blobPort', String(port)],
      ...['--tableHost', '127.0.0.1', '--tablePort', String(tablePort)],
      ...['--queueHost', '127.0.0.1', '--queuePort', String(queuePort)],
      ...['--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableTelemetry'],
      ...(tls === undefined ? [] : ['--oauth', 'basic', '--cert', tls.certPath, '--key', tls.keyPath]),
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
  return {
    port,
    tablePort,
    blobUrl,
    tableUrl,
    connectionString: `DefaultEndpointsProtocol=${scheme};AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobUrl};TableEndpoint=${tableUrl};`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
