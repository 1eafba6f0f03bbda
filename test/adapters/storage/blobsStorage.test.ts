/**
 * STORAGE=azure: the bot's state in Azure Blob Storage, against Azurite on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConversationState, TestAdapter } from 'botbuilder';
import { createStorage } from '../../../src/adapters/storage/createStorage';

const AZURITE = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'azurite-blob');
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

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

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
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

describe('STORAGE=azure against Azurite', () => {
  let azurite: ChildProcess;
  let connectionString: string;

  beforeAll(async () => {
    const port = await freePort();
    azurite = spawn(
      AZURITE,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--inMemoryPersistence',
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
      ],
      { stdio: 'ignore', cwd: os.tmpdir() },
    );
    await waitForPort(port, 20_000);
    connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`;
  });

  afterAll(() => {
    azurite?.kill('SIGTERM');
  });

  it('when conversation state is saved twice, then the second turn reads the first and stale eTags are refused', async () => {
    const { storage, close } = createStorage({
      kind: 'azure',
      connectionString,
      container: 'bot-state-test',
    });
    const state = new ConversationState(storage);
    const counter = state.createProperty<number>('counter');
    const adapter = new TestAdapter(async (context) => {
      const value = (await counter.get(context, 0)) + 1;
      await counter.set(context, value);
      await context.sendActivity(`count ${value}`);
      await state.saveChanges(context);
    });
    await adapter.send('one').assertReply('count 1').send('two').assertReply('count 2').startTest();

    await storage.write({ item: { v: 1 } });
    const first = (await storage.read(['item'])).item;
    await storage.write({ item: { ...first, v: 2 } });
    await expect(storage.write({ item: { ...first, v: 3 } })).rejects.toThrow();
    expect((await storage.read(['item'])).item.v).toBe(2);
    await close();
  });
});
