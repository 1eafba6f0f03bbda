/**
 * The Teams side of the bot, wired: the tenant gate, the press gate, the request form and its
 * owners, the card handlers, and the activity handler that routes to them. Everything they do to a
 * request goes through the use cases in `services`.
 */
import {
  type BotAdapter,
  type ConversationReference,
  PrivateConversationState,
  type Storage,
} from 'botbuilder';
import { MainDialog } from '../../dialogs/mainDialog';
import { ACCOUNT_VERBS } from '../../cards/verbs';
import { AccountActions } from '../bot/accountActions';
import { AnswerInTime } from '../bot/answerInTime';
import { HealthActions } from '../bot/healthActions';
import { ApprovalActions } from '../bot/approvalActions';
import { FormTurns } from '../bot/formTurns';
import { PressGate } from '../bot/pressGate';
import { RefusalAudit } from '../bot/refusalAudit';
import { ServiceAccountBot } from '../bot/serviceAccountBot';
import { TenantGate } from '../bot/tenantGate';
import type { Config } from '../config';
import { CachedAccessChecks, directAccessChecks } from '../domain/authorization';
import { DirectoryNames } from '../domain/directoryNames';
import { isAppError } from '../domain/errors';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { LatePresses } from '../domain/workPorts';
import type { Logger } from '../logger';
import type { ApprovalCards } from '../teams/approvalCards';
import type { ConversationReferenceStore } from '../teams/conversationReferences';
import { FormOwnerStore } from '../teams/formOwners';
import { PersonalChats } from '../teams/personalChats';
import type { TeamsNotifier } from '../teams/teamsNotifier';
import type { ProactiveMessenger } from '../teams/proactiveMessenger';
import { readyViewNow } from '../useCases/readyReport';
import type { Services } from '../useCases/services';
import { checkReadiness } from './readiness';
import { type ConnectedTenant, describeTenant } from './tenant';

export interface TeamsBotParts {
  config: Config;
  logger: Logger;
  tenant: ConnectedTenant;
  services: Services;
  storage: Storage;
  conversations: ConversationReferenceStore;
  messenger: ProactiveMessenger;
  approvalCards: ApprovalCards;
  notifier: TeamsNotifier;
  /** What a press done again after a restart runs under. */
  adapter: BotAdapter;
  /** Where a late press is kept while its work goes on. */
  latePresses: LatePresses;
}

export async function teamsBot(parts: TeamsBotParts): Promise<ServiceAccountBot> {
  const { config, logger, tenant, services, storage, conversations, messenger, approvalCards } = parts;
  const { requests, audit, now, notifier, background, scheduler } = services;
  const formState = new PrivateConversationState(storage);
  // Admin roles and group membership, asked of Graph at most once a minute per person.
  const access = new CachedAccessChecks(directAccessChecks(tenant.directory));
  // Who acted is named from the directory by object id, never by the name the Teams client sent.
  const names = new DirectoryNames(tenant.directory, {
    onFailure: (aadObjectId, error) =>
      logger.warn('Could not read a display name from the directory; used the name from Teams', {
        actor: aadObjectId,
        code: isAppError(error) ? error.code : 'Unexpected',
      }),
  });
  const readiness = await checkReadiness(tenant, config, logger);
  const replies = {
    requests,
    audit,
    health: services.health,
    tenantId: services.tenantId,
    now,
    notifier,
    background,
    environmentSummary: `${describeTenant(config)} · version ${config.version}`,
    readyView: (request: ServiceAccountRequest) => readyViewNow(services, request),
    keepReadyCard: (
      request: ServiceAccountRequest,
      reference: Partial<ConversationReference>,
      activityId: string,
    ) => parts.notifier.rememberReadyCard(request, reference, activityId),
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
    scheduler,
  });
  // Refused activities from outside (any number of forged tenants) and refused presses from inside
  // (the tenant's own users) are capped apart, so a flood of the one cannot hide the other.
  const gate = new TenantGate({
    tenantId: services.tenantId,
    allowedTenantIds: config.allowedTenantIds,
    teamsOnly: config.bot.mode !== 'local',
    refusals: new RefusalAudit({ audit, logger, now, perMinute: 10 }),
    logger,
  });
  const refusals = new RefusalAudit({ audit, logger, now, perMinute: 60 });
  const presses = new PressGate({
    requests,
    access,
    names,
    refusals,
    logger,
    tenantId: services.tenantId,
    approvalsChannelId: config.approvalsChannelId,
    requesterGroupId: config.requesterGroupId,
    approverGroupId: config.approverGroupId,
  });
  const bot = new ServiceAccountBot({
    ...replies,
    logger,
    conversations,
    gate,
    forms: new FormTurns({
      mainDialog,
      formState,
      forms: new FormOwnerStore(storage),
      names,
      personalChats: new PersonalChats({ messenger, conversations, now }),
      refusals,
      replies,
      tenantId: services.tenantId,
      now,
      teamsAppId: config.teamsAppId,
    }),
    approvalActions: new ApprovalActions({
      services,
      access,
      approvalCards,
      presses,
      logger,
      approverGroupId: config.approverGroupId,
    }),
    accountActions: new AccountActions({ services, presses, logger, access }),
    healthActions: new HealthActions({ services, presses, logger }),
    answers: new AnswerInTime({
      followUps: messenger,
      background,
      latePresses: parts.latePresses,
      adapter: parts.adapter,
      logger,
      private: new Set([ACCOUNT_VERBS.reveal]),
    }),
  });

  return bot;
}
