/**
 * Azurite (the Azure Storage emulator from node_modules) on free loopback ports, in memory, for
 * `npm run bench`: the Blob and Table services of its well-known development account. Started
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

export async function startAzuriteProcess(timeoutMs = 20_000): Promise<AzuriteProcess> {
  const [blobPort, tablePort, queuePort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    azuriteBin(),
    [
      ...['--blobHost', '127.0.0.1', '--blobPort', String(blobPort)],
      ...['--tableHost', '127.0.0.1', '--tablePort', String(tablePort)],
      ...['--queueHost', '127.0.0.1', '--queuePort', String(queuePort)],
      ...['--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableTelemetry'],
    ],
    { stdio: 'ignore', cwd: os.tmpdir() },
  );
  try {
    await waitForPort(blobPort, child, timeoutMs);
    await waitForPort(tablePort, child, timeoutMs);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const blobUrl = `http://127.0.0.1:${blobPort}/${ACCOUNT}`;
  const tableUrl = `http://127.0.0.1:${tablePort}/${ACCOUNT}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobUrl};TableEndpoint=${tableUrl};`,
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
