/**
 * `npm run migrate`: a SQLite data folder filled by the bot's own stores (requests, audit trail,
 * conversation references, a sealed password, Bot Framework state, jobs in every state) is copied to
 * Azure (Azurite on loopback), read back through the same stores there, copied again (nothing moves),
 * and copied back into an empty folder. The built tool runs once as a child process for its messages
 * and exit codes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from 'botbuilder';
import { PasswordVault } from '../../src/adapters/secrets/passwordVault';
import { loadSecretBox, SecretBox } from '../../src/adapters/secrets/secretBox';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import type { MigrationSettings, StorageSettings } from '../../src/config';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { JobRecord } from '../../src/jobs/jobs';
import { openStores, type Stores } from '../../src/runtime/stores';
import { ConversationReferenceStore } from '../../src/teams/conversationReferences';
import { migrate, parseMigrateArgs } from '../../src/tools/migrate';
import type { KeyListing } from '../../src/lib/casDocuments';
import { type Azurite, startAzurite } from '../support/azurite';

const TENANT = '7f1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';
const ALEX = { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' };
const MEGAN = { aadObjectId: '00000000-0000-0000-0000-000000000021', name: 'Megan Bowen' };
const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const LEASE = 60_000;
const NOW = T0 + 86_400_000;
const PASSWORD = 'Migrate#Passw0rd-2026-abcQ';

function request(id: string, state: ServiceAccountRequest['state']): ServiceAccountRequest {
  const at = new Date(T0).toISOString();
  return {
    id,
    tenantId: TENANT,
    state,
    version: 1,
    requester: ALEX,
    approver: { ...MEGAN, userPrincipalName: 'megan@contoso.com' },
    details: {
      displayName: 'CiraSync Service',
      username: `svc-${id}`,
      domain: 'contoso.com',
      contact: { city: 'Redmond' },
      acknowledgedWarnings: [],
    },
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
  };
}

/** Fills a data folder the way the bot would, and returns the request ids it made. */
async function fillSqlite(dataDir: string): Promise<void> {
  const stores = openStores({ kind: 'sqlite', dataDir });
  try {
    const storage = stores.records.storage;
    const requests = new StorageRequestStore(storage);
    const audit = new StorageAuditLog(storage);
    for (const [id, state] of [
      ['req-1', 'PendingApproval'],
      ['req-2', 'PendingApproval'],
    ] as const) {
      await requests.create(request(id, state));
      await audit.append({
        requestId: id,
        tenantId: TENANT,
        event: 'submitted',
        actor: ALEX,
        at: new Date(T0).toISOString(),
        outcome: 'PendingApproval',
      });
    }
    await new ConversationReferenceStore(storage).rememberOpened(
      { tenantId: TENANT, aadObjectId: ALEX.aadObjectId, name: ALEX.name },
      { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:1' } as never },
      new Date(T0),
    );
    const { box } = loadSecretBox({ dataDir });
    await new PasswordVault(storage, box).getOrCreate(TENANT, 'req-1', () => PASSWORD, new Date(T0));
    // Bot Framework's own conversation state, as ConversationState writes it.
    await storage.write({ 'msteams/conversations/a%3A1/': { dialogState: { dialogStack: [] } } });

    const jobs = stores.jobs;
    const job = (id: string, runAt: number) => ({
      id,
      kind: 'provision',
      tenantId: TENANT,
      requestId: 'req-1',
      runAt,
      data: { id },
    });
    for (const id of ['done', 'failed', 'leased', 'rescheduled']) await jobs.enqueue(job(id, T0), T0);
    await jobs.enqueue(job('cancelled', T0 + 5_000), T0);
    await jobs.enqueue(job('later', NOW + 3_600_000), T0);
    expect(await jobs.claimDue('old-bot', T0, LEASE, 10)).toHaveLength(4);
    await jobs.finish('done', 'old-bot', 'done', T0 + 1, { data: { finished: true } });
    await jobs.finish('failed', 'old-bot', 'failed', T0 + 2, { error: 'Graph answered 403' });
    await jobs.checkpoint('leased', 'old-bot', { step: 'mailbox' }, T0 + 3);
    await jobs.reschedule('rescheduled', 'old-bot', T0 + 10_000, T0 + 4, { error: 'Exchange was busy' });
    await jobs.cancel('cancelled', T0 + 5);
  } finally {
    await stores.close();
  }
}

async function records(storage: Storage & KeyListing): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for await (const key of storage.listKeys()) keys.push(key);
  const items = await storage.read(keys);
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const { eTag: _eTag, ...value } = items[key] as Record<string, unknown>;
    out[key] = value;
  }
  return out;
}

async function jobsOf(stores: Stores): Promise<JobRecord[]> {
  const all: JobRecord[] = [];
  for await (const job of stores.jobs.allJobs()) all.push(job);
  return all.sort((a, b) => (a.id < b.id ? -1 : 1));
}

function withoutLeases(jobs: JobRecord[]): JobRecord[] {
  return jobs.map(({ lease: _lease, ...job }) => job);
}

let azurite: Azurite;
let runs = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function settings(dataDir: string, dataEncryptionKeySet = false): MigrationSettings {
  runs++;
  return {
    sqlite: { kind: 'sqlite', dataDir },
    azure: {
      kind: 'azure',
      access: { kind: 'connectionString', connectionString: azurite.connectionString },
      container: `migrate-${process.pid}-${runs}`,
      table: `migrate${process.pid}t${runs}`,
    },
    dataEncryptionKeySet,
  };
}

async function withStores<T>(side: StorageSettings, use: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = openStores(side);
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sab-migrate-'));
}

describe('npm run migrate', () => {
  it('when a SQLite data folder is migrated to Azure and back, then everything reads the same, and a second run copies nothing', async () => {
    const dataDir = tempDir();
    await fillSqlite(dataDir);
    const both = settings(dataDir);
    const original = await withStores(both.sqlite, async (s) => ({
      records: await records(s.records.storage),
      jobs: await jobsOf(s),
    }));
    expect(Object.keys(original.records)).toHaveLength(10);
    expect(original.jobs).toHaveLength(6);

    const first = await migrate(both, 'sqlite', 'azure', NOW);
    expect(first.lines[0]).toBe(
      `Copied 10 records and 6 jobs (3 pending, 3 finished) from SQLite (${path.resolve(dataDir, 'service-account-bot.sqlite')}) ` +
        `to Azure (container ${both.azure.container}, table ${both.azure.table}). Already there: 0 records, 0 jobs.`,
    );
    expect(first.report.liveLeases).toBe(0);
    const keyFile = path.resolve(dataDir, 'encryption.key');
    expect(first.lines).toContain(
      `1 sealed password was copied as it is, sealed with the key file ${keyFile}. The Azure instances cannot ` +
        `open it unless DATA_ENCRYPTION_KEY is set to that file's content (one line of base64: DATA_ENCRYPTION_KEY="$(cat ${keyFile})"; best kept in Key Vault and given as a Key Vault reference in the app settings).`,
    );
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(first.lines.join('\n')).not.toContain(key);

    await withStores(both.azure, async (azure) => {
      expect(await records(azure.records.storage)).toEqual(original.records);
      expect(await jobsOf(azure)).toEqual(withoutLeases(original.jobs));
      // Through the bot's own stores on Azure: the request, its trail, the chat, the password.
      const storage = azure.records.storage;
      expect(await new StorageRequestStore(storage).get(TENANT, 'req-2')).toEqual(
        request('req-2', 'PendingApproval'),
      );
      expect((await new StorageAuditLog(storage).forRequest(TENANT, 'req-1')).map((r) => r.event)).toEqual([
        'submitted',
      ]);
      expect(await new ConversationReferenceStore(storage).get(TENANT, ALEX.aadObjectId)).toMatchObject({
        name: ALEX.name,
        reference: { conversation: { id: 'a:1' } },
      });
      const sameKey = new SecretBox(Buffer.from(key, 'base64'));
      expect(await new PasswordVault(storage, sameKey).reveal(TENANT, 'req-1')).toBe(PASSWORD);
      await expect(
        new PasswordVault(storage, new SecretBox(randomBytes(32))).reveal(TENANT, 'req-1'),
      ).rejects.toThrow(/did not open/);
    });

    const second = await migrate(both, 'sqlite', 'azure', NOW);
    expect(second.lines[0]).toMatch(
      /^Copied 0 records and 0 jobs \(0 pending, 0 finished\) from SQLite .* Already there: 10 records, 6 jobs\.$/,
    );
    expect(second.report.records.keptTargets.size).toBe(0);

    const back = { ...both, sqlite: { kind: 'sqlite' as const, dataDir: tempDir() } };
    const returned = await migrate(back, 'azure', 'sqlite', NOW);
    expect(returned.lines[0]).toMatch(/^Copied 10 records and 6 jobs \(3 pending, 3 finished\) from Azure/);
    expect(returned.lines).toContain(
      '1 sealed password was copied as it is: run the bot on SQLite with the same DATA_ENCRYPTION_KEY as the Azure instances, or it cannot be opened.',
    );
    await withStores(back.sqlite, async (s) => {
      expect(await records(s.records.storage)).toEqual(original.records);
      expect(await jobsOf(s)).toEqual(withoutLeases(original.jobs));
    });

    await withStores(both.azure, async (azure) => {
      // The job the old bot held is free on Azure: a new instance claims it at once.
      const claimed = await azure.jobs.claimDue('azure-instance', NOW, LEASE, 10);
      expect(claimed.map((j) => j.id).sort()).toEqual(['leased', 'rescheduled']);
      expect(claimed.find((j) => j.id === 'leased')).toMatchObject({
        attempts: 2,
        data: { step: 'mailbox' },
      });
    });
  }, 60_000);

  it('when the target holds a different copy of a record, then the target’s copy is kept and counted by prefix', async () => {
    const dataDir = tempDir();
    await fillSqlite(dataDir);
    const both = settings(dataDir, true);
    const changed = request('req-1', 'Cancelled');
    await withStores(both.azure, (azure) => new StorageRequestStore(azure.records.storage).create(changed));

    const result = await migrate(both, 'sqlite', 'azure', NOW);
    expect(result.lines[0]).toMatch(/^Copied 8 records and 6 jobs .* Already there: 2 records, 0 jobs\.$/);
    expect(result.lines).toContain(
      "Kept the target's copy of 2 records that differ from the source (never overwritten): service-account-bot/requesters: 1, service-account-bot/requests: 1.",
    );
    expect(result.lines).toContain(
      '1 sealed password was copied as it is: run the Azure instances with the same DATA_ENCRYPTION_KEY as the bot on SQLite, or it cannot be opened.',
    );
    await withStores(both.azure, async (azure) => {
      expect(await new StorageRequestStore(azure.records.storage).get(TENANT, 'req-1')).toEqual(changed);
    });
  }, 30_000);

  it('when a bot still holds a job of the source, then the output warns to stop it first', async () => {
    const dataDir = tempDir();
    await fillSqlite(dataDir);
    const result = await migrate(settings(dataDir), 'sqlite', 'azure', T0 + 10);
    expect(result.report.liveLeases).toBe(1);
    expect(result.lines).toContain(
      'Warning: 1 job of the source is being run by a bot right now. Stop the bot on SQLite before migrating: ' +
        'what it changes from now on is not copied, and the copied jobs could run twice. Then run this again.',
    );
  }, 30_000);

  it('when the data folder has no bot data, then nothing is made there and the reason is given', async () => {
    const dataDir = path.join(tempDir(), 'missing');
    await expect(migrate(settings(dataDir), 'sqlite', 'azure', NOW)).rejects.toThrow(
      `There is no bot data at ${path.resolve(dataDir, 'service-account-bot.sqlite')}: set DATA_DIR to the folder the bot keeps its data in`,
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it.each([
    [['--from', 'sqlite', '--to', 'sqlite'], /--from and --to are both sqlite: nothing to copy/],
    [['--from', 'sqlite'], /Say where from and where to/],
    [['--from', 'sqlite', '--to', 'cosmos'], /Unknown or incomplete argument "--to"/],
    [['--force'], /Usage: npm run migrate -- --from sqlite --to azure/],
  ])('when the arguments are %j, then they are refused with the reason', (argv, message) => {
    const parsed = parseMigrateArgs(argv);
    expect('error' in parsed && parsed.error).toMatch(message);
  });
  it('when the arguments name both sides, then they are taken', () => {
    expect(parseMigrateArgs(['--from', 'azure', '--to', 'SQLite'])).toEqual({ from: 'azure', to: 'sqlite' });
  });
});

describe('npm run migrate, the built tool', () => {
  const TOOL = path.resolve(__dirname, '..', '..', 'dist', 'src', 'tools', 'migrate.js');

  function run(
    argv: string[],
    env: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const clean: Record<string, string> = { PATH: process.env.PATH ?? '', ...env };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [TOOL, ...argv],
        { env: clean, timeout: 50_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('when run with the settings in its environment, then it copies, says so, and exits 0; wrong input exits 1 or 2 with one line', async () => {
    const dataDir = tempDir();
    await fillSqlite(dataDir);
    const env = {
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      AZURE_STORAGE_CONTAINER: `cli-${process.pid}`,
      AZURE_STORAGE_TABLE: `cli${process.pid}`,
    };
    const first = await run(['--from', 'sqlite', '--to', 'azure'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      new RegExp(
        `^Copied 10 records and 6 jobs \\(3 pending, 3 finished\\) from SQLite .* to Azure \\(container cli-${process.pid}, table cli${process.pid}\\)\\. Already there: 0 records, 0 jobs\\.\n`,
      ),
    );
    expect(first.stdout).toMatch(/The Azure instances cannot open it unless DATA_ENCRYPTION_KEY is set/);
    expect(first.stdout).not.toContain(fs.readFileSync(path.join(dataDir, 'encryption.key'), 'utf8').trim());

    const again = await run(['--from', 'sqlite', '--to', 'azure'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Copied 0 records and 0 jobs .* Already there: 10 records, 6 jobs\.\n/);

    const same = await run(['--from', 'azure', '--to', 'azure'], env);
    expect(same).toMatchObject({ code: 2, stdout: '' });
    expect(same.stderr).toMatch(/^--from and --to are both azure: nothing to copy\. Usage: .*\n$/);

    const unknown = await run(['--from', 'sqlite', '--to', 'azure', '--yes'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown or incomplete argument "--yes"\. Usage: npm run migrate/);

    const badSettings = await run(['--from', 'sqlite', '--to', 'azure'], {
      ...env,
      AZURE_STORAGE_CONTAINER: 'No_Such',
    });
    expect(badSettings).toMatchObject({ code: 1, stdout: '' });
    expect(badSettings.stderr).toMatch(
      /^Migration failed: AZURE_STORAGE_CONTAINER: 3–63 lower-case letters.*\(got "No_Such"\)\n$/,
    );

    const noAccount = await run(['--from', 'sqlite', '--to', 'azure'], { DATA_DIR: dataDir });
    expect(noAccount.code).toBe(1);
    expect(noAccount.stderr).toMatch(
      /^Migration failed: AZURE_STORAGE_CONNECTION_STRING: required when STORAGE=azure/,
    );
  }, 60_000);

  it('when the storage account does not answer, then it exits 1 with one line naming the side', async () => {
    const dataDir = tempDir();
    await fillSqlite(dataDir);
    const closed = azurite.connectionString.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:9');
    const result = await run(['--from', 'sqlite', '--to', 'azure'], {
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONNECTION_STRING: closed,
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^Migration failed: Azure \(container service-account-bot, table serviceaccountbotjobs\) did not answer: .*ECONNREFUSED.*\n$/,
    );
  }, 60_000);
});
