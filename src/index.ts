/**
 * The composition root: config → Bot Framework authentication → adapter + turn error handler →
 * storage → bot → HTTP routes. `startBot` wires and listens; `main` adds the process concerns
 * (configuration errors, signals).
 */
import type { AddressInfo } from 'node:net';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConversationState,
} from 'botbuilder';
import { type Config, ConfigError, loadConfig } from './config';
import { createLogger, type Logger, type LogSink } from './logger';
import { createStorage } from './adapters/storage/createStorage';
import { connectTenant, type TenantPorts } from './adapters/tenantConnection';
import { systemClock } from './domain/ports';
import type { AuditLog, RequestStore } from './domain/requestPorts';
import { ServiceAccountBot } from './bot/serviceAccountBot';
import { TenantGate } from './bot/tenantGate';
import { createTurnErrorHandler } from './bot/turnErrorHandler';
import { MainDialog } from '../dialogs/mainDialog';
import { StorageAuditLog } from './adapters/storage/storageAuditLog';
import { StorageRequestStore } from './adapters/storage/storageRequestStore';
import { ConversationReferenceStore } from './adapters/teams/conversationReferences';
import { createHttpServer } from './http/server';

export interface RunningBot {
  address: AddressInfo;
  logger: Logger;
  /** The tenant the bot provisions in: Graph and Exchange ports (and the simulator when simulated). */
  tenant: TenantPorts;
  requests: RequestStore;
  audit: AuditLog;
  conversations: ConversationReferenceStore;
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
  };
}

function describeTenant(config: Config): string {
  return config.tenant.mode === 'simulated'
    ? `simulated tenant (${config.tenant.scenario} scenario)`
    : `tenant ${config.tenant.tenantId}`;
}

export async function startBot(config: Config, logSink?: LogSink): Promise<RunningBot> {
  const logger = createLogger(config.logLevel, logSink);

  const auth = new ConfigurationBotFrameworkAuthentication(botFrameworkAuthenticationOptions(config));
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = createTurnErrorHandler(logger);

  const tenant = await connectTenant(config, systemClock, logger);
  const store = createStorage(config.storage);
  const conversationState = new ConversationState(store.storage);

  const requests = new StorageRequestStore(store.storage);
  const audit = new StorageAuditLog(store.storage);
  const replies = {
    requests,
    audit,
    tenantId: tenant.tenantId,
    now: () => new Date(),
    environmentSummary: `${describeTenant(config)} · version ${config.version}`,
  };
  const mainDialog = new MainDialog({
    ...replies,
    directory: tenant.directory,
    exchange: tenant.exchange,
    approvalExpiryMs: config.approvalExpiryMs,
    requesterGroupId: config.requesterGroupId,
  });
  const conversations = new ConversationReferenceStore(store.storage);
  const gate = new TenantGate({
    tenantId: tenant.tenantId,
    allowedTenantIds: config.allowedTenantIds,
    teamsOnly: config.bot.mode !== 'local',
    audit,
    logger,
    now: () => new Date(),
  });
  const bot = new ServiceAccountBot({
    ...replies,
    logger,
    conversationState,
    mainDialog,
    conversations,
    gate,
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
    await store.close();
    await tenant.close();
    throw error;
  }

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
  });

  let closing: Promise<void> | undefined;
  return {
    address,
    logger,
    tenant,
    requests,
    audit,
    conversations,
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
