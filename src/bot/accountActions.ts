/**
 * Buttons on the progress and "ready" cards: Retry and Remove what was created (after a failure),
 * Reveal password and Reset password (the hand-over, requester only), Downgrade role (after the
 * product's first sign-in). The actor comes from the activity; only the requester or the approver
 * may press these, and the password goes only to the requester, only in the invoke's answer.
 */
import { randomUUID } from 'node:crypto';
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { progressCard } from '../../cards/progressCard';
import { renderCard, utcMinutes } from '../../cards/renderCard';
import { ACCOUNT_VERBS, type AccountVerb } from '../../cards/verbs';
import type { PasswordVault } from '../adapters/secrets/passwordVault';
import type { RequestMessages } from '../adapters/teams/requestMessages';
import { type PressAction, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import { generatePassword } from '../domain/password';
import type { Patience } from '../domain/patience';
import type { Directory, Exchange } from '../domain/ports';
import { downgradeAccount, removeCreatedAccount } from '../domain/provisionAccount';
import { userPrincipalName } from '../domain/provisioningSteps';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import { creationMarker, ROLE_NAMES } from '../domain/wellKnown';
import type { JobStore } from '../jobs/jobs';
import { progressViewOf, provisionData, provisionJobId, specOf } from '../jobs/provisioningJob';
import {
  handOverToKeyVault,
  type PasswordHandOver,
  schedulePurge,
  type PasswordWhere,
  readyNote,
} from '../jobs/replicationJob';
import type { Logger } from '../logger';
import { invokeCard, invokeMessage } from './invokeAnswers';
import type { AdmittedPress, CardActionHandler, PressGate, PressHandler } from './pressGate';

/** How long a Reset password may hold the password's reset lease before another may start. */
const RESET_LEASE_MS = 5 * 60_000;

export interface AccountActionDeps {
  newPassword?: () => string;
  requests: RequestStore;
  audit: AuditLog;
  jobs: JobStore;
  pokeJobs: () => void;
  directory: Directory;
  exchange: Exchange;
  patience: Patience;
  passwords: PasswordVault;
  messages: RequestMessages;
  /** Who may press which button where: every press passes it first. */
  presses: PressGate;
  logger: Logger;
  tenantId: string;
  downgradeRoleId: string;
  passwordRevealMs: number;
  handOver?: PasswordHandOver;
  now: () => Date;
}

export class AccountActions {
  constructor(private readonly deps: AccountActionDeps) {}

  /** One handler per button of the progress and "ready" cards, by verb. */
  handlers(): Record<string, CardActionHandler> {
    const table: Record<AccountVerb, PressHandler> = {
      [ACCOUNT_VERBS.retry]: this.guarded('retry', ({ actor, request }) => this.retry(actor, request)),
      [ACCOUNT_VERBS.remove]: this.guarded('remove', ({ request }) => this.askToRemove(request)),
      [ACCOUNT_VERBS.removeConfirmed]: this.guarded('remove', ({ actor, request }) =>
        this.remove(actor, request),
      ),
      [ACCOUNT_VERBS.reveal]: this.guarded('reveal', ({ actor, request }) => this.reveal(actor, request)),
      [ACCOUNT_VERBS.reset]: this.guarded('reset', ({ actor, request }) =>
        this.resetPassword(actor, request),
      ),
      [ACCOUNT_VERBS.downgrade]: this.guarded('downgrade', ({ actor, request }) =>
        this.downgrade(actor, request),
      ),
    };
    return this.deps.presses.handlers(table);
  }

  /** A button whose Microsoft 365 failures are told to the presser in plain words. */
  private guarded(
    action: PressAction,
    run: (press: AdmittedPress) => Promise<AdaptiveCardInvokeResponse>,
  ): PressHandler {
    return {
      action,
      run: async (press) => {
        try {
          return await run(press);
        } catch (failure) {
          if (!isAppError(failure)) throw failure;
          this.deps.logger.warn('Account action failed', {
            requestId: press.request.id,
            action,
            code: failure.code,
          });
          return invokeMessage(`That did not work: ${failure.userMessage}`);
        }
      },
    };
  }

  private async provisionState(request: ServiceAccountRequest) {
    const job = await this.deps.jobs.get(provisionJobId(request.tenantId, request.id));
    return provisionData(job?.data ?? {});
  }

  private async audit(
    actor: Actor,
    request: ServiceAccountRequest,
    event: string,
    outcome: string,
    detail?: string,
  ) {
    await this.deps.audit.append({
      requestId: request.id,
      tenantId: request.tenantId,
      event,
      actor,
      at: this.deps.now().toISOString(),
      outcome,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  private async retry(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const state = await this.provisionState(request);
    if (request.state !== 'Failed') {
      return invokeCard(progressCard(progressViewOf(request, state)));
    }
    const now = this.deps.now();
    const moved = await this.deps.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: ['Failed'] },
      { state: 'Provisioning', at: now.toISOString() },
    );
    if (moved === undefined) {
      const current = (await this.deps.requests.get(request.tenantId, request.id)) ?? request;
      return invokeCard(progressCard(progressViewOf(current, state)));
    }
    await this.audit(actor, request, 'retried', 'Provisioning', state.failure?.message);
    await this.deps.jobs.requeue(provisionJobId(request.tenantId, request.id), now.getTime(), now.getTime());
    this.deps.pokeJobs();
    return invokeCard(progressCard({ ...progressViewOf(moved, state), current: undefined }));
  }

  private async askToRemove(request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const state = await this.provisionState(request);
    return invokeCard(
      progressCard({ ...progressViewOf(request, state), confirmingRemove: request.state === 'Failed' }),
    );
  }

  private async remove(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const state = await this.provisionState(request);
    if (request.state !== 'Failed') return invokeCard(progressCard(progressViewOf(request, state)));
    // The state change comes first: only the press that ends the request deletes anything, so a
    // Retry that won meanwhile keeps its account.
    const now = this.deps.now();
    const ended = await this.deps.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: ['Failed'] },
      { state: 'Cancelled', at: now.toISOString() },
    );
    if (ended === undefined) {
      const current = (await this.deps.requests.get(request.tenantId, request.id)) ?? request;
      return invokeCard(progressCard(progressViewOf(current, await this.provisionState(current))));
    }
    let detail: string;
    try {
      detail = (await removeCreatedAccount(this.deps.directory, specOf(request))).detail;
    } catch (error) {
      if (!isAppError(error)) throw error;
      detail = `The request is closed, but I could not delete ${userPrincipalName(request.details)}: ${error.userMessage} Delete it in the Microsoft 365 admin center.`;
    }
    await this.audit(actor, request, 'removed', ended.state, detail);
    await this.deps.passwords.purge(request.tenantId, request.id, now);
    return invokeCard(progressCard({ ...progressViewOf(ended, state), removed: detail }));
  }

  private async reveal(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    if (request.state !== 'Ready')
      return invokeMessage('The password is handed over once the account is ready.');
    const state = await this.deps.passwords.state(request.tenantId, request.id);
    const now = this.deps.now();
    if (
      state.kind === 'held' &&
      state.revealUntil !== undefined &&
      Date.parse(state.revealUntil) > now.getTime()
    ) {
      const password = await this.deps.passwords.reveal(request.tenantId, request.id);
      if (password !== undefined) {
        await this.audit(actor, request, 'password revealed', 'Ready');
        return invokeCard(
          renderCard('formDone', {
            title: `Password of ${userPrincipalName(request.details)}`,
            facts: [{ title: 'Password', value: password }],
            note: `Shown to you alone and not kept in this chat: copy it into CiraSync Enterprise setup now. I forget it at ${utcMinutes(state.revealUntil)}; after that, Reset password makes a new one.`,
          }),
        );
      }
    }
    return invokeMessage(
      state.kind === 'purged'
        ? `I forgot the password at ${utcMinutes(state.at)}, as planned. Press **Reset password** to set a new one.`
        : 'The time to reveal the password has passed. Press **Reset password** to set a new one.',
    );
  }

  private async userIdOf(request: ServiceAccountRequest): Promise<string> {
    const state = await this.provisionState(request);
    const known = state.progress?.userId;
    if (known !== undefined) return known;
    const user = await this.deps.directory.findUser(userPrincipalName(request.details));
    if (user === undefined || user.employeeType !== creationMarker(request.id))
      throw new Error(`The account of request ${request.id} is not in the directory`);
    return user.id;
  }

  private async resetPassword(
    actor: Actor,
    request: ServiceAccountRequest,
  ): Promise<AdaptiveCardInvokeResponse> {
    if (request.state !== 'Ready')
      return invokeMessage('The password can be reset once the account is ready.');
    // One reset at a time: Entra and the hand-over must end with the same password.
    const holder = randomUUID();
    if (
      !(await this.deps.passwords.claimReset(
        request.tenantId,
        request.id,
        holder,
        this.deps.now(),
        RESET_LEASE_MS,
      ))
    )
      return invokeMessage(
        'A password reset for this account is already under way. Wait a moment: the card shows the new password’s hand-over when it is done.',
      );
    try {
      return await this.resetOnce(actor, request);
    } finally {
      await this.deps.passwords.releaseReset(request.tenantId, request.id, holder);
    }
  }

  private async resetOnce(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const now = this.deps.now();
    const until = new Date(now.getTime() + this.deps.passwordRevealMs);
    const password = (this.deps.newPassword ?? generatePassword)();
    await this.deps.directory.updateUser(await this.userIdOf(request), { password });
    if (this.deps.handOver !== undefined) {
      const handed = await handOverToKeyVault(
        { ...this.deps, handOver: this.deps.handOver },
        request,
        actor,
        password,
      );
      if (handed.ok) {
        await this.audit(actor, request, 'password reset', 'Ready', 'new version in Key Vault');
        const where: PasswordWhere = { kind: 'keyVault', vaultUrl: this.deps.handOver.vaultUrl, ...handed };
        return invokeCard(await this.readyCard(request, where, false));
      }
      this.deps.logger.warn('Key Vault refused the new password; it is kept here for Reveal', {
        requestId: request.id,
        reason: handed.reason,
      });
    }
    await this.deps.passwords.replace(request.tenantId, request.id, password, now, until);
    await this.audit(actor, request, 'password reset', 'Ready');
    await schedulePurge(this.deps.jobs, request, until.getTime(), now.getTime());
    return invokeCard(await this.readyCard(request, { kind: 'reveal', until: until.toISOString() }, false));
  }

  private async readyCard(request: ServiceAccountRequest, where: PasswordWhere, downgraded: boolean) {
    const state = await this.provisionState(request);
    const role = ROLE_NAMES[this.deps.downgradeRoleId] ?? 'the downgrade role';
    return progressCard({
      ...progressViewOf(request, state),
      ready: {
        note: downgraded
          ? `${userPrincipalName(request.details)} is now ${role} and no longer a Global Administrator.`
          : readyNote(request, where, this.deps.downgradeRoleId),
        canReveal: !downgraded && where.kind === 'reveal',
        canReset: !downgraded,
        canDowngrade: !downgraded,
        facts: [],
      },
    });
  }

  private async downgrade(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    if (request.state !== 'Ready') return invokeMessage('The role can be lowered once the account is ready.');
    const result = await downgradeAccount({
      directory: this.deps.directory,
      exchange: this.deps.exchange,
      patience: this.deps.patience,
      userId: await this.userIdOf(request),
      spec: specOf(request),
      targetRoleId: this.deps.downgradeRoleId,
    });
    const role = ROLE_NAMES[this.deps.downgradeRoleId] ?? this.deps.downgradeRoleId;
    const card = await this.readyCard(request, { kind: 'reveal', until: '' }, true);
    if (result.granted.outcome !== 'created' && result.removedGlobalAdministrator === 0) {
      // Already lowered (a second press, or by someone else): nothing changed, nothing to record.
      return invokeCard(card);
    }
    await this.audit(
      actor,
      request,
      'downgraded',
      'Ready',
      `${role} ${result.granted.outcome === 'created' ? 'granted' : 'already held'}; Global Administrator assignments removed: ${result.removedGlobalAdministrator}`,
    );
    await this.deps.passwords.purge(request.tenantId, request.id, this.deps.now());
    await this.deps.messages.updateReady(request, card);
    const other = sameUser(actor.aadObjectId, request.requester.aadObjectId) ? 'approver' : 'requester';
    await this.deps.messages.tell(
      request,
      other,
      `${actor.name} lowered ${userPrincipalName(request.details)} to ${role}; it is no longer a Global Administrator.`,
    );
    return invokeCard(card);
  }
}
