/**
 * The composition root: config → Bot Framework authentication → adapter + turn error handler →
 * storage → bot → HTTP routes. `startBot` wires and listens; `main` adds the process concerns
 * (configuration errors, signals).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  CloudAdapter,
  type ConfigurationBotFrameworkAuthenticationOptions,
  PrivateConversationState,
} from 'botbuilder';
import { type Config, ConfigError, loadConfig } from './config';
import { createLogger, type Logger, type LogSink } from './logger';
import { createStorage } from './adapters/storage/createStorage';
import { type ConnectedTenant, openTenant } from './runtime/tenant';
import type { Clock } from './domain/ports';
import type { AuditLog, RequestStore } from './domain/requestPorts';
import { FormTurns } from './bot/formTurns';
import { PressGate } from './bot/pressGate';
import { RefusalAudit } from './bot/refusalAudit';
import { ServiceAccountBot } from './bot/serviceAccountBot';
import { TenantGate } from './bot/tenantGate';
import { createTurnErrorHandler } from './bot/turnErrorHandler';
import { MainDialog } from '../dialogs/mainDialog';
import { StorageAuditLog } from './adapters/storage/storageAuditLog';
import { StorageRequestStore } from './adapters/storage/storageRequestStore';
import { ConversationReferenceStore } from './adapters/teams/conversationReferences';
import { createHttpServer } from './http/server';
import { StrictBotFrameworkAuthentication } from './http/strictAuthentication';
import { loadSecretBox } from './adapters/secrets/secretBox';
import { PasswordVault } from './adapters/secrets/passwordVault';
import { CardCopyStore } from './adapters/teams/cardCopies';
import { PersonalChats } from './adapters/teams/personalChats';
import { ProactiveMessenger } from './adapters/teams/proactiveMessenger';
import { FormOwnerStore } from './adapters/storage/formOwners';
import { RequestMessages } from './adapters/teams/requestMessages';
import { SQLITE_FILE_NAME } from './adapters/storage/createStorage';
import { CachedAccessChecks, directAccessChecks } from './domain/authorization';
import { checkPermissions } from './domain/permissions';
import type { Actor } from './domain/request';
import { DEFAULT_PATIENCE, type Patience } from './domain/patience';
import { AccountActions } from './bot/accountActions';
import { ApprovalActions } from './bot/approvalActions';
import { BackgroundWork } from './bot/backgroundWork';
import { approvalJobHandlers, scheduleApproval } from './jobs/approvalJobs';
import { JobRunner } from './jobs/jobRunner';
import type { JobStore } from './jobs/jobs';
import { PROVISION_JOB, provisioningJobHandler, REPLICATION_JOB } from './jobs/provisioningJob';
import {
  type PasswordHandOver,
  PASSWORD_PURGE_JOB,
  passwordPurgeHandler,
  replicationJobHandler,
} from './jobs/replicationJob';
import { KeyVaultHandOver } from './adapters/secrets/keyVaultHandOver';
import { SqliteJobStore } from './jobs/sqliteJobStore';

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
  /** The card verbs the bot answers, from its handler registry. */
  verbs: readonly string[];
  /** Runs what is due now and resolves when no job and no background work (card updates, notes) is left running. */
  idle(): Promise<void>;
  /** Stops accepting, finishes turns in flight (up to the configured grace), closes storage. */
  close(): Promise<void>;
}

export function botFrameworkAuthenticationOptions(
  config: Config,
): ConfigurationBotFrameworkAuthenticationOptions {
  if (config.bot.mode === 'local') {
    return { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: '', MicrosoftAppTenantId: '' };
  }
  return {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.password ?? '',
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
    ...(config.bot.openIdMetadataUrl === undefined
      ? {}
      : { ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl }),
    ...(config.bot.tokenIssuer === undefined ? {} : { ToBotFromChannelTokenIssuer: config.bot.tokenIssuer }),
  };
}

/**
 * Least privilege, checked at start-up: the permissions the app's own tokens carry against what the
 * bot needs. Missing ones are logged as a warning (and shown to admins in `help`) before anyone meets
 * them mid-flow; extra ones too, as the grant is wider than needed.
 */
async function checkReadiness(tenant: ConnectedTenant, config: Config, logger: Logger): Promise<string> {
  try {
    const report = checkPermissions(await tenant.grantedRoles(), {
      groupsConfigured: config.requesterGroupId !== undefined || config.approverGroupId !== undefined,
    });
    if (report.missing.length > 0) {
      logger.warn('The app is missing application permissions', {
        missing: report.missing.map((m) => `${m.api}: ${m.permission}`),
      });
    } else if (report.extra.length > 0) {
      logger.warn('The app has application permissions it does not need', { extra: report.extra });
    } else {
      logger.info('The app has exactly the application permissions it needs');
    }
    return report.summary;
  } catch (error) {
    logger.warn('Could not read the app’s own permissions', { error });
    return 'I could not read my own permissions from Microsoft Entra ID; check the app’s credential.';
  }
}

/** The Key Vault the password goes to, when one is configured (the simulator's in simulated mode). */
function keyVaultHandOver(config: Config, tenant: ConnectedTenant): PasswordHandOver | undefined {
  if (config.keyVault === undefined) return undefined;
  const simulated = config.keyVault.url === 'simulator';
  const vaultUrl = simulated ? (tenant.simulator?.keyVaultUrl ?? '') : config.keyVault.url;
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(vaultUrl);
  const vault = new KeyVaultHandOver({
    vaultUrl,
    credential: tenant.credential,
    disableChallengeResourceVerification: simulated || loopback,
    allowInsecureConnection: loopback,
  });
  return {
    vaultUrl,
    secretExpiryMs: config.keyVault.secretExpiryMs,
    store: (input) => vault.store(input),
    secretName: (upn, requestId) => KeyVaultHandOver.secretName(upn, requestId),
  };
}

function describeTenant(config: Config): string {
  return config.tenant.mode === 'simulated'
    ? `simulated tenant (${config.tenant.scenario} scenario)`
    : `tenant ${config.tenant.tenantId}`;
}

/** Seams for tests: where logs go, and how passwords are made (a canary the tests can look for). */
export interface StartHooks {
  logSink?: LogSink;
  newPassword?: () => string;
}

export async function startBot(config: Config, hooks: LogSink | StartHooks = {}): Promise<RunningBot> {
  const { logSink, newPassword } =
    typeof hooks === 'function' ? { logSink: hooks, newPassword: undefined } : hooks;
  const logger = createLogger(config.logLevel, logSink);

  const auth = new StrictBotFrameworkAuthentication(botFrameworkAuthenticationOptions(config));
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = createTurnErrorHandler(logger);

  // Waits between retries end when the bot shuts down, so nothing keeps the process alive after close.
  const lifetime = new AbortController();
  const clock: Clock = {
    now: () => Date.now(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (lifetime.signal.aborted) {
          reject(new Error('The bot is shutting down'));
          return;
        }
        const timer = setTimeout(() => {
          lifetime.signal.removeEventListener('abort', stop);
          resolve();
        }, ms);
        const stop = () => {
          clearTimeout(timer);
          reject(new Error('The bot is shutting down'));
        };
        lifetime.signal.addEventListener('abort', stop, { once: true });
      }),
  };
  const tenant = await openTenant(config, clock, logger);
  const store = createStorage(config.storage);
  const formState = new PrivateConversationState(store.storage);

  const requests = new StorageRequestStore(store.storage);
  const audit = new StorageAuditLog(store.storage);
  const now = () => new Date();
  const jobs = new SqliteJobStore(path.resolve(config.dataDir, SQLITE_FILE_NAME));
  const secrets = loadSecretBox({ key: config.dataEncryptionKey, dataDir: config.dataDir });
  const passwords = new PasswordVault(store.storage, secrets.box);
  const conversations = new ConversationReferenceStore(store.storage);
  const copies = new CardCopyStore(store.storage);
  const background = new BackgroundWork(logger);
  const messenger = new ProactiveMessenger({
    adapter,
    botAppId: config.bot.mode === 'local' ? '' : config.bot.appId,
    clock,
  });
  const messages = new RequestMessages({
    messenger,
    conversations,
    copies,
    logger,
    now,
    approvalsChannelId: config.approvalsChannelId,
    teamsAppId: config.teamsAppId,
  });
  // Simulated Exchange catches up in seconds; a real one in minutes.
  const patience: Patience =
    config.tenant.mode === 'simulated'
      ? { clock, timeoutMs: DEFAULT_PATIENCE.timeoutMs, initialDelayMs: 250, maxDelayMs: 5_000 }
      : { clock, ...DEFAULT_PATIENCE };
  const jobDeps = {
    newPassword,
    requests,
    audit,
    jobs,
    directory: tenant.directory,
    exchange: tenant.exchange,
    patience,
    passwords,
    messages,
    copies,
    now,
  };
  const handOver = keyVaultHandOver(config, tenant);
  const runner = new JobRunner({
    store: jobs,
    log: logger,
    leaseMs: config.jobLeaseMs,
    handlers: {
      ...approvalJobHandlers(jobDeps),
      [PROVISION_JOB]: provisioningJobHandler({ ...jobDeps, approverGroupId: config.approverGroupId }),
      [REPLICATION_JOB]: replicationJobHandler({
        ...jobDeps,
        policy: config.replication,
        passwordRevealMs: config.passwordRevealMs,
        downgradeRoleId: config.downgradeRoleId,
        handOver,
      }),
      [PASSWORD_PURGE_JOB]: passwordPurgeHandler(jobDeps),
    },
  });
  const pokeJobs = () => runner.poke();

  // Admin roles and group membership, asked of Graph at most once a minute per person.
  const access = new CachedAccessChecks(directAccessChecks(tenant.directory));
  const readiness = await checkReadiness(tenant, config, logger);
  const replies = {
    requests,
    audit,
    tenantId: tenant.tenantId,
    now,
    environmentSummary: `${describeTenant(config)} · version ${config.version}`,
    readinessFor: async (actor: Actor | undefined) => {
      if (actor === undefined) return undefined;
      try {
        return (await access.isAdmin(actor.aadObjectId)) ? readiness : undefined;
      } catch {
        return undefined; // Graph is unreachable: the help card still comes, without the line.
      }
    },
  };
  const mainDialog = new MainDialog({
    ...replies,
    directory: tenant.directory,
    exchange: tenant.exchange,
    approvalExpiryMs: config.approvalExpiryMs,
    requesterGroupId: config.requesterGroupId,
    access,
    scheduleApproval: async (request) => {
      await scheduleApproval(jobs, request, { now: now(), reminderMs: config.approvalReminderMs });
      pokeJobs();
    },
  });
  // Refused activities from outside (any number of forged tenants) and refused presses from inside
  // (the tenant's own users) are capped apart, so a flood of the one cannot hide the other.
  const gate = new TenantGate({
    tenantId: tenant.tenantId,
    allowedTenantIds: config.allowedTenantIds,
    teamsOnly: config.bot.mode !== 'local',
    refusals: new RefusalAudit({ audit, logger, now, perMinute: 10 }),
    logger,
  });
  const refusals = new RefusalAudit({ audit, logger, now, perMinute: 60 });
  const presses = new PressGate({
    requests,
    access,
    refusals,
    logger,
    tenantId: tenant.tenantId,
    approvalsChannelId: config.approvalsChannelId,
    requesterGroupId: config.requesterGroupId,
    approverGroupId: config.approverGroupId,
  });
  const actionDeps = { ...jobDeps, access, presses, pokeJobs, background, logger, tenantId: tenant.tenantId };
  const bot = new ServiceAccountBot({
    ...replies,
    logger,
    conversations,
    gate,
    forms: new FormTurns({
      mainDialog,
      formState,
      forms: new FormOwnerStore(store.storage),
      personalChats: new PersonalChats({ messenger, conversations, now }),
      refusals,
      replies,
      tenantId: tenant.tenantId,
      now,
      teamsAppId: config.teamsAppId,
    }),
    approvalActions: new ApprovalActions({ ...actionDeps, approverGroupId: config.approverGroupId }),
    accountActions: new AccountActions({
      ...actionDeps,
      downgradeRoleId: config.downgradeRoleId,
      passwordRevealMs: config.passwordRevealMs,
      handOver,
    }),
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
  });

  let address: AddressInfo;
  try {
    address = await http.listen(config.port, config.host);
  } catch (error) {
    jobs.close();
    await store.close();
    await tenant.close();
    throw error;
  }
  runner.start();

  if (config.bot.mode === 'local') {
    logger.warn(
      'Local mode: no BOT_ID is set, so Bot Framework authentication is OFF. Listening on 127.0.0.1 only — for the Agents Playground and tests, never for production.',
    );
  }
  logger.info('Service Account Bot started', {
    url: `http://${address.address}:${address.port}/api/messages`,
    version: config.version,
    botAuth: config.bot.mode === 'local' ? 'off (local mode)' : config.bot.appType,
    tenant: tenant.describe,
    storage: store.describe,
    encryptionKeyFrom: secrets.source,
    handOver: handOver === undefined ? 'Reveal password' : `Key Vault ${handOver.vaultUrl}`,
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
    verbs: bot.verbs,
    async idle() {
      // Until a round starts nothing new: run what is due, wait for it and for what it set off.
      for (let round = 0; round < 100; round++) {
        const started = await runner.tick();
        await runner.idle();
        const quiet = await background.idle();
        if (started === 0 && quiet && (await runner.tick()) === 0) {
          await runner.idle();
          return;
        }
      }
    },
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
        lifetime.abort();
        await background.idle(config.shutdownGraceMs);
        jobs.close();
        await store.close();
        await tenant.close();
        logger.info('Stopped');
      })();
      return closing;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the settings table in README.md.\n`);
      process.exit(1);
    }
    throw error;
  }

  let running: RunningBot;
  try {
    running = await startBot(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Could not start the bot: ${message}\n`);
    process.exit(1);
  }

  const stop = (signal: NodeJS.Signals): void => {
    running.logger.info('Signal received', { signal });
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error('Shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  void main();
}
