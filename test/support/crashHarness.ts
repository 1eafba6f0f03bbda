/**
 * A rig for crash tests: the tenant simulator runs in the test process (HTTPS, short Exchange delays),
 * so it outlives the bot; the built bot runs as a child process in live mode against it, on one
 * DATA_DIR and one fake Teams connector, and can be SIGKILLed and started again. A tap on the
 * simulator's call log trips the kill at an exact point: as a write is committed (the bot never hears
 * the answer), or when the bot's next call arrives after it (the bot heard it and saved the step).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ACCOUNT_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { BlobDocumentStorage } from '../../src/adapters/storage/blobDocumentStorage';
import type { JobStore } from '../../src/jobs/jobs';
import { TableJobStore } from '../../src/jobs/tableJobStore';
import { type AuditStorage, StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { provisionData } from '../../src/domain/progress';
import { JOB_KINDS, jobId } from '../../src/jobs/jobKinds';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';
import {
  CIRASYNC_SERVICE_PRINCIPAL,
  SKUS,
  startTenantSimulator,
  type CallRecord,
  type TenantSimulator,
  type TenantSimulatorOptions,
} from '../../src/simulator';
import { CallLog } from '../../src/simulator/callLog';
import { tls } from '../simulator/tlsFixtures';
import { ALEX, MEGAN, postActivity, teamsCardAction, teamsMessage } from './activities';
import { type BotProcess, startBotProcess, tempDataDir } from './botProcess';
import { type ConnectorCall, type FakeConnector, startFakeConnector } from './fakeConnector';

export const CRASH_TENANT_ID = '3d9f1b7e-6a2c-4e8d-9f0a-5b4c3d2e1f00';
export const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;

type LoggedCall = Omit<CallRecord, 'seq'>;

/**
 * Where to kill: `atCommit` inside the simulator right after the change, before the answer is sent;
 * `atNextCall` once the bot's next request to the tenant arrives (held, never answered).
 */
export type KillMoment = 'atCommit' | 'atNextCall';

/** Decides, for each call the simulator logs, whether this is the point to kill at. */
export type KillTrigger = (call: LoggedCall, committedWrites: number) => boolean;

/**
 * Calls `listener` with every call any simulator logs, the moment it is logged (before the answer is
 * sent). One listener at a time; returns the undo.
 */
function tapCallLog(listener: (call: LoggedCall) => void): () => void {
  if (jest.isMockFunction(CallLog.prototype.record)) throw new Error('one crash rig at a time');
  const record = CallLog.prototype.record;
  const spy = jest.spyOn(CallLog.prototype, 'record').mockImplementation(function (
    this: CallLog,
    seq: number,
    entry: LoggedCall,
  ) {
    record.call(this, seq, entry);
    listener(entry);
  });
  return () => spy.mockRestore();
}

/** `POST /v1.0/users/{id}/assignLicense`, or the cmdlet name for Exchange. */
export function writeKey(call: Pick<CallRecord, 'api' | 'method' | 'path' | 'cmdlet'>): string {
  if (call.api === 'exchange') return call.cmdlet ?? call.path;
  return `${call.method} ${call.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}')}`;
}

/** What the bot sends to Teams, as the proxy sees it before the connector does. */
export interface OutgoingCall {
  method: string;
  path: string;
  body: string;
}

/**
 * A pass-through in front of the fake connector (the service URL the bot is given) that can hold one
 * call: it is never forwarded nor answered, as if the bot died before Teams got it.
 */
async function startHoldingProxy(target: string): Promise<{
  serviceUrl: string;
  holdNext(match: (call: OutgoingCall) => boolean): Promise<OutgoingCall>;
  close(): Promise<void>;
}> {
  let hold: { match: (call: OutgoingCall) => boolean; found: (call: OutgoingCall) => void } | undefined;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body: Buffer.concat(chunks).toString(),
      };
      if (hold?.match(call) === true) {
        held.push(res);
        hold.found(call);
        hold = undefined;
        return;
      }
      const forward = http.request(new URL(call.path, target), { method: call.method, headers: req.headers });
      forward.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(call.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    holdNext: (match) => new Promise((found) => (hold = { match, found })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function cardOf(call: ConnectorCall): unknown {
  const attachments = call.body.attachments as { content: unknown }[] | undefined;
  if (attachments === undefined) throw new Error(`Expected a card, got text: ${String(call.body.text)}`);
  return attachments[0].content;
}

function match(card: unknown, pattern: RegExp, what: string): string {
  const found = JSON.stringify(card).match(pattern)?.[1];
  if (found === undefined) throw new Error(`no ${what} in ${JSON.stringify(card).slice(0, 300)}`);
  return found;
}

export interface CrashRigOptions {
  /** The simulated tenant: `classic` (the default) still has ApplicationImpersonation, `current` has not. */
  scenario?: TenantSimulatorOptions['scenario'];
  /**
   * STORAGE=azure on this storage account (Azurite), in a container and table of the rig's own, so
   * several bot processes share every record and job. Unset = one SQLite DATA_DIR.
   */
  azure?: { connectionString: string };
  /** How long the simulated Exchange takes to show a role group member (default 400 ms). */
  replicationMs?: number;
  /** More settings for every bot process the rig starts (they override the rig's own). */
  settings?: Record<string, string>;
}

let azureRigs = 0;

/** What the App access card is filled in with: the scope of the grant and its roles. */
export interface AppGrantInputs {
  scope: 'organization' | 'group' | 'filter';
  /** The group's name or the recipient filter; unused for the whole organization. */
  scopeValue?: string;
  roles: readonly string[];
}

/** Two roles over the mailboxes of a recipient filter: a service principal, a scope and two assignments. */
export const SALES_APP_GRANT: AppGrantInputs = {
  scope: 'filter',
  scopeValue: "Department -eq 'Sales'",
  roles: ['Application Contacts.ReadWrite', 'Application Calendars.Read'],
};

export interface CrashRig {
  readonly sim: TenantSimulator;
  readonly connector: FakeConnector;
  /** The DATA_DIR every bot process of the rig shares (its SQLite file, unless on Azure storage). */
  readonly dataDir: string;
  /** Every bot process started so far, oldest first. */
  readonly bots: BotProcess[];
  startBot(): Promise<BotProcess>;
  /** Sends what follows (messages, presses, kills, stops) to `bot`; by default the last one started. */
  use(bot: BotProcess): void;
  /** The running bot process whose job runner holds the lease of the request's provisioning job. */
  provisioningHolder(requestId: string): Promise<BotProcess | undefined>;
  /** Alex fills in every card (public folders on); resolves once Megan has the approval card. */
  submitRequest(username?: string): Promise<{ requestId: string; approverChat: string }>;
  /**
   * Alex asks for CiraSync's app to be granted `grant`, with no service account (a `current` tenant);
   * resolves once Megan has the approval card.
   */
  submitAppRequest(grant?: AppGrantInputs): Promise<{ requestId: string; approverChat: string }>;
  /** Megan presses Approve in her chat. */
  approve(request: { requestId: string; approverChat: string }): Promise<void>;
  /** Holds the next call to Teams that `match` accepts; resolves once it is held. */
  holdTeamsCall(match: (call: OutgoingCall) => boolean): Promise<OutgoingCall>;
  /** SIGKILLs the running bot now. */
  kill(): Promise<void>;
  /** Arms a kill of the running bot at the first call `trigger` accepts; resolves once it is dead. */
  killWhen(trigger: KillTrigger, moment: KillMoment, timeoutMs?: number): Promise<void>;
  /**
   * The "ready" messages sent so far: cards with Downgrade role (an account was made), or, for an
   * app-only grant, the card that says what the app now holds.
   */
  readyMessages(): ConnectorCall[];
  waitForReady(timeoutMs: number): Promise<void>;
  /** Committed writes in the simulator's log, as `writeKey`s in order. */
  committedWrites(): string[];
  /** Every write the bot asked for, committed or refused (a blind retry refused as a duplicate shows here). */
  attemptedWrites(): string[];
  /** Stops the running bot (SIGTERM, as a deployment would). */
  stopBot(): Promise<void>;
  /** Stops every bot process still running (SIGTERM). */
  stopAll(): Promise<void>;
  /** What the bot stored about the request (read while no bot runs): state, audit, steps saved. */
  stored(requestId: string): Promise<{ state?: string; events: string[]; savedSteps: string[] }>;
  /** The last log lines of every bot process, for failure messages. */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

/** The k-th write (from 1) has just been committed. */
export const atWrite =
  (k: number): KillTrigger =>
  (call, writes) =>
    call.mutating && call.committed && writes === k;

/** Runs `run` on a new rig, adds the bot processes' last log lines to a failure, and closes the rig. */
export async function withRig(
  run: (rig: CrashRig) => Promise<void>,
  options: CrashRigOptions = {},
): Promise<void> {
  const rig = await startCrashRig(options);
  try {
    await run(rig);
  } catch (error) {
    if (error instanceof Error)
      error.message += `\n\nBot logs (last lines of each process):\n${rig.logTail()}`;
    throw error;
  } finally {
    await rig.close();
  }
}

export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startCrashRig(options: CrashRigOptions = {}): Promise<CrashRig> {
  const sim = await startTenantSimulator({
    tenantId: CRASH_TENANT_ID,
    scenario: options.scenario ?? 'classic',
    https: { key: tls.key, cert: tls.cert },
    delays: { exchangeRecipientMs: 200, mailboxMs: 300, replicationMs: options.replicationMs ?? 400 },
  });
  const connector = await startFakeConnector();
  const proxy = await startHoldingProxy(connector.serviceUrl);
  const serviceUrl = proxy.serviceUrl;
  const dataDir = tempDataDir();
  const bots: BotProcess[] = [];
  let writes = 0;
  let trip: ((call: LoggedCall) => void) | undefined;
  let disarmKill = (): void => {};
  const untap = tapCallLog((call) => {
    if (call.mutating && call.committed) writes++;
    trip?.(call);
  });
  const settings: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    TENANT_MODE: 'live',
    AAD_APP_TENANT_ID: CRASH_TENANT_ID,
    AAD_APP_CLIENT_ID: sim.clientCredential.clientId,
    AAD_APP_CLIENT_SECRET: sim.clientCredential.clientSecret,
    AAD_APP_OAUTH_AUTHORITY_HOST: sim.authorityHost,
    GRAPH_ENDPOINT: sim.graphEndpoint,
    EXCHANGE_ENDPOINT: sim.exchangeEndpoint,
    JOB_LEASE_SECONDS: '1',
    REPLICATION_SETTLE_MINUTES: '0',
    REPLICATION_POLL_SECONDS: '0.2',
    APPROVAL_REMINDER_HOURS: '0',
    ...options.settings,
  };
  if (options.azure !== undefined) {
    const n = ++azureRigs;
    Object.assign(settings, {
      STORAGE: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: options.azure.connectionString,
      AZURE_STORAGE_CONTAINER: `rig-${process.pid}-${n}`,
      AZURE_STORAGE_TABLE: `rig${process.pid}n${n}`,
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64'),
    });
  }
  /** The records and jobs every bot process of the rig shares; closed after use. */
  function openShared(): { storage: AuditStorage; jobs: JobStore; close(): void } {
    if (options.azure !== undefined) {
      return {
        storage: BlobDocumentStorage.fromConnectionString(
          options.azure.connectionString,
          settings.AZURE_STORAGE_CONTAINER,
        ),
        jobs: TableJobStore.fromConnectionString(
          options.azure.connectionString,
          settings.AZURE_STORAGE_TABLE,
        ),
        close: () => undefined,
      };
    }
    const file = path.join(dataDir, SQLITE_FILE_NAME);
    const storage = new SqliteStorage(file);
    const jobs = new SqliteJobStore(file);
    return {
      storage,
      jobs,
      close: () => {
        jobs.close();
        storage.close();
      },
    };
  }
  let chosen: BotProcess | undefined;
  const current = (): BotProcess => {
    const bot = chosen ?? bots[bots.length - 1];
    if (bot === undefined) throw new Error('no bot started');
    return bot;
  };
  const sentBy = { tenantId: CRASH_TENANT_ID };

  async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends an activity as Teams would; returns the first message the bot sends in reply (card or text). */
  async function send(activity: Record<string, unknown>): Promise<unknown> {
    const response = await postActivity(current().url, activity);
    if (response.status !== 200) throw new Error(`bot answered ${response.status}`);
    const reply = await waitFor(`a reply to ${String(activity.type)}`, () =>
      connector.calls.find((c) => c.method === 'POST' && c.activityId === activity.id),
    );
    return reply.body.attachments === undefined ? reply.body.text : cardOf(reply);
  }

  /** Presses Next (or Submit) on a form card with the inputs given; returns the next card or text. */
  async function press(card: unknown, verb: string, inputs: Record<string, unknown> = {}): Promise<unknown> {
    const formId = match(card, /"formId":"([0-9a-f-]{36})"/, 'formId');
    const data = { formId, verb, ...inputs };
    return send(teamsCardAction(serviceUrl, verb, data, sentBy));
  }

  /** Start-up banners that say nothing about a crash. */
  const NOISE = /^(The app has application permissions|Local mode:)/;

  function logTail(lines = 25): string {
    return bots
      .map((bot, i) => {
        const tail = bot.logs
          .filter((l) => !NOISE.test(String(l.msg)))
          .slice(-lines)
          .map((l) => JSON.stringify(l));
        const end = bot.child.signalCode ?? bot.child.exitCode ?? 'running';
        return `--- bot process ${i + 1} (${String(end)})\n${tail.join('\n')}`;
      })
      .join('\n');
  }

  /** An account's ready card has Downgrade role; an app-only grant's says what the app now holds. */
  const isReadyMessage = (c: ConnectorCall): boolean => {
    if (c.method !== 'POST') return false;
    const body = JSON.stringify(c.body);
    return (
      body.includes(ACCOUNT_VERBS.downgrade) ||
      (c.body.attachments !== undefined && body.includes(' now holds '))
    );
  };
  const readyMessages = (): ConnectorCall[] => connector.calls.filter(isReadyMessage);

  /** Presses Submit on the review card; resolves once Megan has the approval card. */
  async function submitForApproval(review: unknown): Promise<{ requestId: string; approverChat: string }> {
    const before = connector.calls.length;
    const submitted = await press(review, FORM_VERBS.submit);
    if (!String(submitted).includes('is waiting for approval by Megan Bowen'))
      throw new Error(`request not submitted: ${JSON.stringify(submitted).slice(0, 300)}`);
    const megansCard = await waitFor('the approval card in Megan’s chat', () =>
      connector.calls
        .slice(before)
        .find(
          (c) =>
            c.method === 'POST' &&
            c.conversationId.startsWith('a:created-') &&
            JSON.stringify(c.body).includes(REQUEST_VERBS.approve),
        ),
    );
    const requestId = match(megansCard.body, /"requestId":"([0-9a-f-]{36})"/, 'requestId');
    return { requestId, approverChat: megansCard.conversationId };
  }

  return {
    sim,
    connector,
    dataDir,
    bots,
    async startBot() {
      const bot = await startBotProcess(settings);
      bots.push(bot);
      chosen = undefined;
      return bot;
    },
    use(bot) {
      chosen = bot;
    },
    async provisioningHolder(requestId) {
      const shared = openShared();
      try {
        const job = await shared.jobs.get(jobId(JOB_KINDS.provision, CRASH_TENANT_ID, requestId));
        // A runner's lease owner is `<host>:<pid>:<random>`.
        const pid = Number(job?.lease?.owner.split(':')[1]);
        return bots.find(
          (bot) => bot.child.pid === pid && bot.child.exitCode === null && bot.child.signalCode === null,
        );
      } finally {
        shared.close();
      }
    },
    async submitRequest(username = 'cirasync-svc') {
      const preflight = await send(teamsMessage(serviceUrl, 'new service account', sentBy));
      const account = await press(preflight, FORM_VERBS.next);
      const contact = await press(account, FORM_VERBS.next, {
        displayName: 'CiraSync Service',
        username,
        domain: 'contoso.com',
      });
      const sync = await press(contact, FORM_VERBS.next);
      const approver = await press(sync, FORM_VERBS.next, {
        publicFolders: 'true',
        skuId: SKUS.EXCHANGESTANDARD.skuId,
        usageLocation: 'us',
      });
      const review = await press(approver, FORM_VERBS.next, { approverId: MEGAN.aadObjectId });
      return submitForApproval(review);
    },
    async submitAppRequest(grant = SALES_APP_GRANT) {
      const checks = await send(teamsMessage(serviceUrl, 'new service account', sentBy));
      const appCard = await press(checks, FORM_VERBS.next);
      if (!JSON.stringify(appCard).includes('"id":"appRoles"'))
        throw new Error(`no App access card after the checks: ${JSON.stringify(appCard).slice(0, 300)}`);
      const approver = await press(appCard, FORM_VERBS.next, {
        appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
        appScope: grant.scope,
        appScopeValue: grant.scopeValue ?? '',
        appRoles: grant.roles.join(','),
        alsoAccount: 'false',
      });
      if (!JSON.stringify(approver).includes('"id":"approverId"'))
        throw new Error(`the App access card was refused: ${JSON.stringify(approver).slice(0, 600)}`);
      const review = await press(approver, FORM_VERBS.next, { approverId: MEGAN.aadObjectId });
      return submitForApproval(review);
    },
    async approve({ requestId, approverChat }) {
      const activity = teamsCardAction(
        serviceUrl,
        REQUEST_VERBS.approve,
        { requestId },
        { ...sentBy, from: MEGAN, conversationId: approverChat },
      );
      const response = await postActivity(current().url, activity);
      const answer = `${response.status} ${await response.text()}`;
      if (!answer.includes('Approved by Megan Bowen'))
        throw new Error(`not approved: ${answer.slice(0, 300)}`);
    },
    holdTeamsCall: (match) => proxy.holdNext(match),
    async kill() {
      await current().stop('SIGKILL');
    },
    killWhen(trigger, moment, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const bot = current();
        let poll: NodeJS.Timeout | undefined;
        const disarm = (): void => {
          trip = undefined;
          clearTimeout(timer);
          clearInterval(poll);
        };
        disarmKill = disarm;
        const timer = setTimeout(() => {
          disarm();
          reject(new Error(`the kill point never came within ${timeoutMs} ms`));
        }, timeoutMs);
        const kill = (then?: () => void): void => {
          disarm();
          bot.child.once('exit', () => {
            then?.();
            resolve();
          });
          bot.child.kill('SIGKILL');
        };
        trip = (call) => {
          if (!trigger(call, writes)) return;
          trip = undefined;
          if (moment === 'atCommit') {
            kill();
            return;
          }
          // Hold whatever the bot asks next (never answered, never applied), and kill once it arrives.
          const arrived = sim.roundTrips().total;
          const hold = sim.faults.inject({ times: Infinity, delayMs: 120_000, status: 503 });
          poll = setInterval(() => {
            if (sim.roundTrips().total !== arrived) kill(() => hold.cancel());
          }, 2);
        };
        bot.child.once('exit', (code, signal) => {
          if (signal === 'SIGKILL') return;
          disarm();
          reject(new Error(`bot exited (${code ?? signal}) before the kill`));
        });
      });
    },
    readyMessages,
    async waitForReady(timeoutMs) {
      await waitFor('the ready message', () => readyMessages()[0], timeoutMs);
    },
    committedWrites: () =>
      sim
        .mutatingCalls()
        .filter((c) => c.committed)
        .map(writeKey),
    attemptedWrites: () => sim.mutatingCalls().map(writeKey),
    async stopBot() {
      await current().stop();
      chosen = undefined;
    },
    async stopAll() {
      for (const bot of bots) await bot.stop();
      chosen = undefined;
    },
    async stored(requestId) {
      const { storage, jobs, close } = openShared();
      try {
        const request = await new StorageRequestStore(storage).get(CRASH_TENANT_ID, requestId);
        const audit = await new StorageAuditLog(storage).forRequest(CRASH_TENANT_ID, requestId);
        const job = await jobs.get(jobId(JOB_KINDS.provision, CRASH_TENANT_ID, requestId));
        const saved = provisionData(job?.data ?? {}).progress?.completed ?? [];
        return {
          state: request?.state,
          events: audit.map((r) => r.event),
          savedSteps: saved.map((r) => r.step),
        };
      } finally {
        close();
      }
    },
    logTail,
    async close() {
      disarmKill();
      untap();
      for (const bot of bots) await bot.stop('SIGKILL');
      await proxy.close();
      await connector.close();
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
