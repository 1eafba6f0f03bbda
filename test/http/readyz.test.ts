/**
 * `GET /readyz` on a bot started in process: its real storage, job store and job runner, on SQLite
 * and on Azure storage (Azurite).
 */
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { type Azurite, startAzurite } from '../support/azurite';
import { startTestBot, type TestBot } from '../support/botHarness';

describe('readiness of a started bot', () => {
  let running: TestBot;

  beforeAll(async () => {
    running = await startTestBot({ known: [] });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when storage, jobs and the runner are up, then /readyz answers 200 ready with every check ok', async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    });
  });

  it('when its job runner has stopped, then /readyz answers 503 naming the runner, and /healthz still 200', async () => {
    await running.bot.runner.stop(0);
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'failed' },
      reasons: { runner: 'The job runner is stopped.' },
    });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

describe('readiness of a started bot on Azure storage (Azurite)', () => {
  let azurite: Azurite;
  let running: TestBot;

  beforeAll(async () => {
    azurite = await startAzurite();
    running = await startTestBot({
      known: [],
      settings: {
        STORAGE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });
  });
  afterAll(async () => {
    await running?.close();
    await azurite?.stop();
  }, 60_000);

  it('when the Blob container and the job Table answer, then /readyz answers 200 ready', async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    });
  });

  it('when the storage account goes away, then /readyz answers 503 for storage and jobs within the probe limit, naming no account', async () => {
    await azurite.stop();
    const began = Date.now();
    const response = await fetch(`${running.url}/readyz`);
    expect(Date.now() - began).toBeLessThan(4_000);
    expect(response.status).toBe(503);
    const text = await response.text();
    const body = JSON.parse(text) as { checks: Record<string, string>; reasons: Record<string, string> };
    expect(body.checks).toMatchObject({ storage: 'failed', jobs: 'failed' });
    expect(body.reasons.storage).toMatch(/^The bot-state storage could not be read\./);
    expect(body.reasons.jobs).toMatch(/^The job store could not be read\./);
    expect(text).not.toMatch(/devstoreaccount1|AccountKey|127\.0\.0\.1/);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('when the storage account is back, then /readyz answers 200 again', async () => {
    // The account comes back with its container and table, as a real one keeps them (Azurite's
    // memory does not: they are made again here).
    azurite = await startAzurite({ ports: { port: azurite.port, tablePort: azurite.tablePort } });
    await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('service-account-bot')
      .createIfNotExists();
    await TableClient.fromConnectionString(azurite.connectionString, 'serviceaccountbotjobs', {
      allowInsecureConnection: true,
    }).createTable();
    await waitFor(async () => (await fetch(`${running.url}/readyz`)).status === 200, 20_000);
    const response = await fetch(`${running.url}/readyz`);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
