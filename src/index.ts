/**
 * The composition root: config → Bot Framework authentication → adapter + turn error handler →
 * storage → the use cases' services (adapters, the Teams notifier, the job scheduler) → the Teams
 * bot (src/runtime/teamsBot.ts) → HTTP routes. `startBot` wires and listens; `main`
 * (src/runtime/main.ts) adds the process concerns (configuration errors, signals). What the wiring
 * needs beyond constructors — the tenant, the clock, the Key Vault hand-over, the readiness check —
 * is in src/runtime/. Telemetry starts first (only with APPLICATIONINSIGHTS_CONNECTION_STRING) and is
 * flushed last, once the turns and jobs are done.
 */
import type { AddressInfo } from 'node:net';
import type { TokenCredential } from '@azure/core-auth';
import { CloudAdapter } from 'botbuilder';
import { type Config, prepareTelemetryEnvironment } from './config';
import { createLogger, type Logger, type LogSink } from './logger';
import { botFrameworkAuthenticationOptions } from './runtime/botAuthentication';
import { runUntilIdle } from './runtime/idle';
import { openStores } from './runtime/stores';
import { main } from './runtime/main';
import { keyVaultHandOver } from './runtime/passwordHandOver';
import { readinessProbes } from './runtime/readinessProbes';
import { shutdownAwareClock } from './runtime/shutdownClock';
import { type ConnectedTenant, openTenant } from './runtime/tenant';
import type { AuditLog, RequestStore } from './domain/requestPorts';
import { createTurnErrorHandler } from './bot/turnErrorHandler';
import { StorageAuditLog } from './adapters/storage/storageAuditLog';
import { StorageHealthRecords } from './adapters/storage/storageHealthRecords';
import { StorageRequestStore } from './adapters/storage/storageRequestStore';
import { ConversationReferenceStore } from './teams/conversationReferences';
import { createHttpServer } from './http/server';
import { StrictBotFrameworkAuthentication } from './http/strictAuthentication';
import { keyFileWarning, loadSecretBox } from './adapters/secrets/secretBox';
import { PasswordVault } from './adapters/secrets/passwordVault';
import { CardCopyStore } from './teams/cardCopies';
import { ProactiveMessenger } from './teams/proactiveMessenger';
import { ApprovalCards } from './teams/approvalCards';
import { TeamsNotifier } from './teams/teamsNotifier';
import { teamsBot } from './runtime/teamsBot';
import { DEFAULT_PATIENCE, type Patience } from './domain/patience';
import { BackgroundWork } from './bot/backgroundWork';
import { JobRunner } from './jobs/jobRunner';
import type { JobStore } from './jobs/jobs';
import { jobHandlers } from './jobs/jobHandlers';
import { JobLatePresses } from './jobs/latePresses';
import { JobScheduler } from './jobs/jobScheduler';
import { generatePassword } from './domain/password';
import type { Services } from './useCases/services';
import { countPendingApprovals } from './jobs/pendingApprovals';
import { startTelemetry, type Telemetry } from './telemetry/azureMonitor';
import { observeGauges } from './telemetry/metrics';

export interface RunningBot {
  address: AddressInfo;
  logger: Logger;
  /** The tenant the bot provisions in: Graph and Exchange ports (and the simulator when simulated). */
  tenant: ConnectedTenant;
  requests: RequestStore;
  audit: AuditLog;
  conversations: ConversationReferenceStore;
  jobs: JobStore;
  runner: JobRunner;
  passwords: PasswordVault;
  /** What the use cases are given: the stories run through these. */
  services: Services;
  /** The card verbs the bot answers, from its handler registry. */
  verbs: readonly string[];
  /** Runs what is due now and resolves when no job and no background work (card updates, notes) is left running. */
  idle(): Promise<void>;
  /** Application Insights, or off (APPLICATIONINSIGHTS_CONNECTION_STRING unset). */
  telemetry: Telemetry;
  /** Stops accepting, finishes turns in flight (up to the configured grace), flushes telemetry, closes storage. */
  close(): Promise<void>;
}

/** Seams for tests: where logs go, and how passwords are made (a canary the tests can look for). */
export interface StartHooks {
  logSink?: LogSink;
  newPassword?: () => string;
  /** Signs storage requests when the settings name the account by URL (in place of a managed identity). */
  storageCredential?: TokenCredential;
}

export async function startBot(config: Config, hooks: LogSink | StartHooks = {}): Promise<RunningBot> {
  const { logSink, newPassword, storageCredential } =
    typeof hooks === 'function'
      ? { logSink: hooks, newPassword: undefined, storageCredential: undefined }
      : hooks;
  const logger = createLogger(config.logLevel, logSink);
  if (config.telemetryConnectionString !== undefined) prepareTelemetryEnvironment();
  const telemetry = await startTelemetry(config.telemetryConnectionString);

  const auth = new StrictBotFrameworkAuthentication(botFrameworkAuthenticationOptions(config));
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = createTurnErrorHandler(logger);

  const { clock, shutDown } = shutdownAwareClock();
  const tenant = await openTenant(config, clock, logger);
  const stores = openStores(config.storage, storageCredential);
  const store = stores.records;

  const requests = new StorageRequestStore(store.storage);
  const audit = new StorageAuditLog(store.storage);
  const health = new StorageHealthRecords(store.storage);
  const now = () => new Date();
  const jobs = stores.jobs;
  const secrets = loadSecretBox({ key: config.dataEncryptionKey, dataDir: config.dataDir });
  const passwords = new PasswordVault(store.storage, secrets.box);
  const conversations = new ConversationReferenceStore(store.storage);
  const copies = new CardCopyStore(store.storage);
  const background = new BackgroundWork(logger);
  const messenger = new ProactiveMessenger({
    adapter,
    botAppId: config.bot.mode === 'local' ? '' : config.bot.appId,
    clock,
    logger,
  });
  const chats = {
    messenger,
    conversations,
    copies,
    logger,
    now,
    approvalsChannelId: config.approvalsChannelId,
  };
  const approvalCards = new ApprovalCards({
    ...chats,
    messenger: messenger.about('approval card'),
    teamsAppId: config.teamsAppId,
  });
  const notifier = new TeamsNotifier({ ...chats, approvalCards });
  // Simulated Exchange catches up in seconds; a real one in minutes.
  const patience: Patience =
    config.tenant.mode === 'simulated'
      ? { clock, timeoutMs: DEFAULT_PATIENCE.timeoutMs, initialDelayMs: 250, maxDelayMs: 5_000 }
      : { clock, ...DEFAULT_PATIENCE };
  const handOver = keyVaultHandOver(config, tenant, logger);
  const scheduler = new JobScheduler({
    jobs,
    reminderMs: config.approvalReminderMs,
    wake: () => runner.poke(),
  });
  const services: Services = {
    tenantId: tenant.tenantId,
    requests,
    audit,
    notifier,
    scheduler,
    provisioning: scheduler,
    passwords,
    health,
    handOver,
    directory: tenant.directory,
    exchange: tenant.exchange,
    appAccess: tenant.appAccess,
    patience,
    background,
    now,
    newPassword: newPassword ?? generatePassword,
    settings: {
      approvalExpiryMs: config.approvalExpiryMs,
      passwordRevealMs: config.passwordRevealMs,
      downgradeRoleId: config.downgradeRoleId,
      globalAdminReminderMs: config.globalAdminReminderMs,
      ...(config.autoDowngradeMs === undefined ? {} : { autoDowngradeMs: config.autoDowngradeMs }),
      healthCheckMs: config.healthCheckMs,
      ...(config.globalAdminFlagMs === undefined ? {} : { globalAdminFlagMs: config.globalAdminFlagMs }),
      approverGroupId: config.approverGroupId,
      replication: config.replication,
    },
  };
  const jobCounts = jobs.counts?.bind(jobs);
  const stopGauges = observeGauges({
    jobs: jobCounts === undefined ? undefined : () => jobCounts(Date.now()),
    approvalsPending: () => countPendingApprovals(jobs, requests),
  });

  const bot = await teamsBot({
    config,
    logger,
    tenant,
    services,
    storage: store.storage,
    conversations,
    messenger,
    approvalCards,
    notifier,
    adapter,
    latePresses: new JobLatePresses({
      jobs,
      tenantId: tenant.tenantId,
      takeoverMs: config.jobLeaseMs,
      log: logger,
    }),
  });
  const runner = new JobRunner({
    store: jobs,
    log: logger,
    leaseMs: config.jobLeaseMs,
    handlers: jobHandlers(services, bot),
  });

  const http = createHttpServer({
    adapter,
    bot,
    logger,
    health: {
      status: 'ok',
      version: config.version,
      tenantMode: config.tenant.mode,
      storage: config.storage.kind,
    },
    readiness: readinessProbes({ storage: store.storage, jobs, runner }),
  });

  let address: AddressInfo;
  try {
    address = await http.listen(config.port, config.host);
  } catch (error) {
    stopGauges();
    await telemetry.shutdown();
    await stores.close();
    await tenant.close();
    throw error;
  }
  runner.start();

  if (config.bot.mode === 'local') {
    logger.warn(
      'Local mode: no BOT_ID is set, so Bot Framework authentication is OFF. Listening on 127.0.0.1 only — for the Agents Playground and tests, never for production.',
    );
  }
  const keyWarning = keyFileWarning({ keyFile: secrets.keyFile, liveBot: config.bot.mode !== 'local' });
  if (keyWarning !== undefined) logger.warn(keyWarning);
  logger.info('Service Account Bot started', {
    url: `http://${address.address}:${address.port}/api/messages`,
    version: config.version,
    botAuth: config.bot.mode === 'local' ? 'off (local mode)' : config.bot.appType,
    tenant: tenant.describe,
    storage: stores.describe,
    encryptionKeyFrom: secrets.source,
    handOver: handOver === undefined ? 'Reveal password' : `Key Vault ${handOver.vaultUrl}`,
    telemetry: telemetry.describe,
  });

  let closing: Promise<void> | undefined;
  return {
    address,
    logger,
    tenant,
    requests,
    audit,
    conversations,
    jobs,
    runner,
    passwords,
    services,
    telemetry,
    verbs: bot.verbs,
    idle: () => runUntilIdle(runner, background),
    close() {
      closing ??= (async () => {
        logger.info('Shutting down: no new requests; waiting for turns in flight', {
          inFlight: http.inFlight(),
        });
        const finished = await http.drain(config.shutdownGraceMs);
        if (!finished)
          logger.warn('Shutdown grace period ended with turns still in flight', {
            inFlight: http.inFlight(),
          });
        // Stop claiming jobs; a job still running past the grace gives its lease back for the next start.
        await runner.stop(config.shutdownGraceMs);
        shutDown();
        await background.idle(config.shutdownGraceMs);
        // The last export (spans of the turns and jobs just finished, the gauges) reads the stores.
        await telemetry.shutdown(config.shutdownGraceMs);
        stopGauges();
        await stores.close();
        await tenant.close();
        logger.info('Stopped');
      })();
      return closing;
    },
  };
}

if (require.main === module) {
  void main(startBot);
}
