/**
 * `LOG_LEVEL=debug`: one line per Graph and Exchange round trip (over HTTP, against the simulator),
 * per job claimed and finished, and per Teams delivery — each still redacted, none carrying a
 * password or a parameter's value; and at `info`, none of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
} from 'botbuilder';
import { SimulatorCredential } from '../src/adapters/credentials';
import { KeyVaultHandOver } from '../src/adapters/secrets/keyVaultHandOver';
import { createTenantPorts } from '../src/adapters/tenantConnection';
import { type Clock, systemClock } from '../src/domain/ports';
import { JobRunner } from '../src/jobs/jobRunner';
import { SqliteJobStore } from '../src/jobs/sqliteJobStore';
import { createLogger, type LogLevel } from '../src/logger';
import { startTenantSimulator, type TenantSimulator } from '../src/simulator';
import { ProactiveMessenger } from '../src/teams/proactiveMessenger';
import { cardMessage } from '../src/teams/teamsMessages';
import { ALEX, personalReference } from './support/activities';
import { type FakeConnector, startFakeConnector } from './support/fakeConnector';
import { FAST_RETRY } from './support/tenantHarness';

const TENANT = '5c2e8a41-9b3d-4f6e-a1c7-2d8e0f4b6a93';
const PASSWORD = 'Debug!Canary#Passw0rd-5521';
const NEW_PASSWORD = 'Patch!Canary#Passw0rd-7734';

type Line = Record<string, unknown> & { level: string; msg: string };

function capture(level: LogLevel) {
  const text: string[] = [];
  const logger = createLogger(level, (line) => text.push(line));
  return {
    logger,
    text,
    lines: () => text.map((line) => JSON.parse(line) as Line),
    debug: (msg: string) =>
      text.map((line) => JSON.parse(line) as Line).filter((l) => l.level === 'debug' && l.msg === msg),
  };
}

function tenantPorts(sim: TenantSimulator, logger: ReturnType<typeof createLogger>) {
  const credential = new SimulatorCredential(
    sim.authorityHost,
    TENANT,
    sim.clientCredential.clientId,
    sim.clientCredential.clientSecret,
  );
  return createTenantPorts(
    {
      tenantId: TENANT,
      graphEndpoint: sim.graphEndpoint,
      exchangeEndpoint: sim.exchangeEndpoint,
      credential,
    },
    { ...FAST_RETRY, clock: systemClock },
    logger,
  );
}

describe('debug logging of Graph and Exchange round trips', () => {
  let sim: TenantSimulator;

  beforeAll(async () => {
    sim = await startTenantSimulator({ tenantId: TENANT, scenario: 'classic' });
  });
  afterAll(async () => sim?.close());

  it('when a user is created and its password changed at debug, then each round trip is a line with method, path, status and duration, and no password', async () => {
    const log = capture('debug');
    const { directory } = tenantPorts(sim, log.logger);
    const user = await directory.createUser({
      displayName: 'Debug Line',
      mailNickname: 'debug-line',
      userPrincipalName: 'debug-line@contoso.com',
      password: PASSWORD,
      employeeType: 'Employee',
      contact: {},
    });
    await directory.updateUser(user.id, { password: NEW_PASSWORD });

    const trips = log.debug('Microsoft Graph round trip');
    expect(trips.find((l) => l.method === 'POST')).toMatchObject({
      operation: 'POST /users',
      attempt: 1,
      path: '/v1.0/users',
      status: 201,
      durationMs: expect.any(Number),
    });
    const patch = trips.find((l) => l.method === 'PATCH');
    expect(patch).toMatchObject({
      operation: 'PATCH /users/{id}',
      attempt: 1,
      path: `/v1.0/users/${user.id}`,
      status: 204,
      durationMs: expect.any(Number),
    });
    expect(patch?.clientRequestId ?? patch?.requestId).toEqual(expect.any(String));
    const all = log.text.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(NEW_PASSWORD);
    expect(all).not.toMatch(/Bearer|eyJ/);
  });

  it('when a query carries a filter, then its line names the query parameters but not their values', async () => {
    const log = capture('debug');
    const { directory } = tenantPorts(sim, log.logger);
    await directory.findUserBySignInName('nobody-by-this-name@contoso.com');
    const trips = log.debug('Microsoft Graph round trip');
    // The look-up by path names the address (a path may); the `$filter` query's line shows no value.
    const filtered = trips.filter((l) => typeof l.query === 'string' && l.query.includes('$filter'));
    expect(filtered).toEqual([expect.objectContaining({ method: 'GET', path: '/v1.0/users', status: 200 })]);
    expect(JSON.stringify(filtered)).not.toContain('nobody-by-this-name');
  });

  it('when a cmdlet runs at debug, then its line names the cmdlet and its parameters, never their values', async () => {
    const log = capture('debug');
    const { exchange } = tenantPorts(sim, log.logger);
    await exchange.getRoleGroup('Canary Role Group 8812');
    const [trip] = log.debug('Exchange Online round trip');
    expect(trip).toMatchObject({
      cmdlet: 'Get-RoleGroup',
      parameters: ['Identity'],
      attempt: 1,
      status: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(log.text.join('\n')).not.toContain('Canary Role Group 8812');
  });

  it('when Graph throttles a call, then each attempt is its own line with its number and status', async () => {
    const throttled = await startTenantSimulator({
      tenantId: TENANT,
      scenario: 'throttled',
      throttle: { every: 2, retryAfterSeconds: 0 },
    });
    try {
      const log = capture('debug');
      const { directory } = tenantPorts(throttled, log.logger);
      for (let i = 0; i < 3; i++) await directory.listSkus();
      const trips = log.debug('Microsoft Graph round trip');
      expect(trips.find((l) => l.status === 429)).toBeDefined();
      const retried = trips.find((l) => typeof l.attempt === 'number' && l.attempt > 1);
      expect(retried).toMatchObject({ attempt: 2, status: 200, method: 'GET', path: '/v1.0/subscribedSkus' });
    } finally {
      await throttled.close();
    }
  });

  it('when a password is handed over to Key Vault at debug, then a line gives the operation, status and duration, not the password', async () => {
    const log = capture('debug');
    const vault = new KeyVaultHandOver({
      vaultUrl: sim.keyVaultUrl,
      credential: new SimulatorCredential(
        sim.authorityHost,
        TENANT,
        sim.clientCredential.clientId,
        sim.clientCredential.clientSecret,
      ),
      disableChallengeResourceVerification: true,
      allowInsecureConnection: true,
      logger: log.logger,
    });
    await vault.store({
      name: 'sab-debug-line-1234abcd',
      value: PASSWORD,
      requestId: 'req-1',
      expiresOn: new Date(Date.now() + 86_400_000),
    });
    expect(log.debug('Azure Key Vault call')).toEqual([
      expect.objectContaining({
        operation: 'Key Vault set secret',
        name: 'sab-debug-line-1234abcd',
        status: 200,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(log.text.join('\n')).not.toContain(PASSWORD);
  });

  it('when the level is info, then the same calls that write debug lines at debug write none', async () => {
    const calls = async (log: ReturnType<typeof capture>, alias: string) => {
      const { directory, exchange } = tenantPorts(sim, log.logger);
      const user = await directory.createUser({
        displayName: `Level ${alias}`,
        mailNickname: alias,
        userPrincipalName: `${alias}@contoso.com`,
        password: PASSWORD,
        employeeType: 'Employee',
        contact: {},
      });
      await directory.updateUser(user.id, { password: NEW_PASSWORD });
      await exchange.getRoleGroup('Some Group');
      return log.lines().filter((l) => l.level === 'debug');
    };
    expect((await calls(capture('debug'), 'level-debug')).length).toBeGreaterThanOrEqual(3);
    expect(await calls(capture('info'), 'level-info')).toEqual([]);
  });
});

describe('debug logging of jobs', () => {
  let dir: string;
  let store: SqliteJobStore;
  let runner: JobRunner | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-debug-'));
    store = new SqliteJobStore(path.join(dir, 'jobs.sqlite'));
  });
  afterEach(async () => {
    await runner?.stop(0);
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runOnce(level: LogLevel) {
    const log = capture(level);
    const at = 1_700_000_000_000;
    await store.enqueue(
      { id: 'job-1', kind: 'work', tenantId: 't', requestId: 'r', runAt: at, data: { password: PASSWORD } },
      at,
    );
    runner = new JobRunner({
      store,
      now: () => at + 250,
      log: log.logger,
      handlers: { work: async () => ({ kind: 'retryAt', at: at + 60_000 }) },
    });
    expect(await runner.tick()).toBe(1);
    await runner.idle();
    return log;
  }

  it('when a job is claimed and run at debug, then a line says so, and another how it ended and how long it took', async () => {
    const log = await runOnce('debug');
    expect(log.debug('job claimed')).toEqual([
      expect.objectContaining({
        jobId: 'job-1',
        kind: 'work',
        attempts: 1,
        dueAt: new Date(1_700_000_000_000).toISOString(),
        lateMs: 250,
      }),
    ]);
    expect(log.debug('job finished')).toEqual([
      expect.objectContaining({
        jobId: 'job-1',
        outcome: 'retryAt',
        durationMs: expect.any(Number),
        nextRunAt: new Date(1_700_000_060_000).toISOString(),
      }),
    ]);
    expect(log.text.join('\n')).not.toContain(PASSWORD);
  });

  it('when the level is info, then a job run that writes debug lines at debug writes none', async () => {
    expect((await runOnce('debug')).debug('job claimed')).toHaveLength(1);
    await runner?.stop(0);
    await store.enqueue({ id: 'job-2', kind: 'work', tenantId: 't', requestId: 'r', runAt: 0, data: {} }, 0);
    const log = capture('info');
    runner = new JobRunner({
      store,
      // job-1 waits for its retry; only job-2 is due.
      now: () => 1,
      log: log.logger,
      handlers: { work: async () => ({ kind: 'done' }) },
    });
    expect(await runner.tick()).toBe(1);
    await runner.idle();
    expect(log.text).not.toEqual([]);
    expect(log.lines().filter((l) => l.level === 'debug')).toEqual([]);
  });
});

describe('debug logging of Teams deliveries', () => {
  let connector: FakeConnector;
  let reference: Partial<ConversationReference>;
  const clock: Clock = { now: () => Date.now(), sleep: async () => undefined };
  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppType: '',
      MicrosoftAppTenantId: '',
    }),
  );
  const card = cardMessage({ type: 'AdaptiveCard', version: '1.5', body: [] });

  beforeAll(async () => {
    connector = await startFakeConnector();
    reference = personalReference(connector.serviceUrl);
  });
  afterAll(async () => connector?.close());

  it('when a card is redrawn at debug, then a line names the card, the conversation, the outcome and the duration', async () => {
    const log = capture('debug');
    const messenger = new ProactiveMessenger({ adapter, botAppId: '', clock, logger: log.logger });
    await messenger.about('approval card').update(reference, 'activity-7', card);
    connector.failNext(1, 403);
    await messenger.update(reference, 'activity-8', card, 'progress card');
    await messenger.send(reference, card);

    expect(log.debug('Teams delivery')).toEqual([
      expect.objectContaining({
        content: 'approval card',
        action: 'update',
        conversationId: `a:personal-${ALEX.aadObjectId}`,
        outcome: 'updated',
        attempts: 1,
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({
        content: 'progress card',
        conversationId: `a:personal-${ALEX.aadObjectId}`,
        outcome: 'failed',
        status: 403,
      }),
      expect.objectContaining({ content: 'card', action: 'post', outcome: 'posted' }),
    ]);
  });

  it('when the level is info, then a redraw writes no debug line', async () => {
    const log = capture('info');
    const messenger = new ProactiveMessenger({ adapter, botAppId: '', clock, logger: log.logger });
    await messenger.about('approval card').update(reference, 'activity-7', card);
    expect(log.lines().filter((l) => l.level === 'debug')).toEqual([]);
  });
});
