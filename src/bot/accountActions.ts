/**
 * Buttons on the progress and "ready" cards: Retry and Remove what was created (after a failure),
 * Reveal password and Reset password (the hand-over, requester only), Downgrade role (after the
 * product's first sign-in), and the owners' buttons: Owners (add, remove), Disable or Enable
 * account, Rotate password and Hand over to Key Vault. Each handler takes the actor from the activity,
 * calls one use case and draws its outcome; the password goes only to the requester, only in the
 * invoke's answer, and a rotated one never leaves Key Vault.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { inputText } from '../../dialogs/cardSubmission';
import { ownersCard } from '../../cards/ownersCard';
import { progressCard } from '../../cards/progressCard';
import { ACCOUNT_VERBS, type AccountVerb } from '../../cards/verbs';
import type { AccessChecks } from '../domain/authorization';
import type { PressAction } from '../domain/pressRules';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { downgradeRole } from '../useCases/downgradeRole';
import { handOverToKeyVault } from '../useCases/handOverToKeyVault';
import { addOwner, type OwnersOutcome, removeOwner, showOwners } from '../useCases/manageOwners';
import { readyViewNow } from '../useCases/readyReport';
import { confirmRemoval, removeCreated } from '../useCases/removeCreated';
import { resetPassword } from '../useCases/resetPassword';
import { retryProvisioning } from '../useCases/retryProvisioning';
import { revealPassword } from '../useCases/revealPassword';
import { rotatePassword } from '../useCases/rotatePassword';
import { confirmSwitch, disableAccount, enableAccount, type SwitchOutcome } from '../useCases/switchAccount';
import type { Services } from '../useCases/services';
import { invokeCard, invokeMessage } from './invokeAnswers';
import type { AdmittedPress, CardActionHandler, PressGate, PressHandler } from './pressGate';

export interface AccountActionDeps {
  services: Services;
  /** Who may press which button where: every press passes it first. */
  presses: PressGate;
  logger: Logger;
  /** Whether someone typed in as a new owner is an admin. */
  access: AccessChecks;
}

/** The owners card, or the words of a refusal. */
function ownersAnswer(outcome: OwnersOutcome): AdaptiveCardInvokeResponse {
  if (outcome.kind === 'owners')
    return invokeCard(ownersCard(outcome.request, { notice: outcome.notice, error: outcome.error }));
  return invokeMessage(outcome.message);
}

function switchAnswer(outcome: SwitchOutcome): AdaptiveCardInvokeResponse {
  return outcome.kind === 'refused' ? invokeMessage(outcome.message) : invokeCard(progressCard(outcome.view));
}

export class AccountActions {
  constructor(private readonly deps: AccountActionDeps) {}

  /** One handler per button of the progress and "ready" cards, by verb. */
  handlers(): Record<string, CardActionHandler> {
    const { services, access } = this.deps;
    const owners = { ...services, access };
    const table: Record<AccountVerb, PressHandler> = {
      [ACCOUNT_VERBS.retry]: this.guarded('retry', async ({ actor, request }) =>
        invokeCard(progressCard((await retryProvisioning(services, actor, request)).view)),
      ),
      [ACCOUNT_VERBS.remove]: this.guarded('remove', async ({ request }) =>
        invokeCard(progressCard(await confirmRemoval(services, request))),
      ),
      [ACCOUNT_VERBS.removeConfirmed]: this.guarded('remove', async ({ actor, request }) =>
        invokeCard(progressCard((await removeCreated(services, actor, request)).view)),
      ),
      [ACCOUNT_VERBS.reveal]: this.guarded('reveal', async ({ actor, request }) => {
        const outcome = await revealPassword(services, actor, request);
        if (outcome.kind === 'refused') return invokeMessage(outcome.message);
        return invokeCard(progressCard(outcome.view));
      }),
      [ACCOUNT_VERBS.reset]: this.guarded('reset', async ({ actor, request }) => {
        const outcome = await resetPassword(services, actor, request);
        if (outcome.kind === 'refused') return invokeMessage(outcome.message);
        if (outcome.keyVaultRefused !== undefined)
          this.deps.logger.warn('Key Vault refused the new password; it is kept here for Reveal', {
            requestId: request.id,
            reason: outcome.keyVaultRefused,
          });
        return invokeCard(progressCard(outcome.view));
      }),
      [ACCOUNT_VERBS.downgrade]: this.guarded('downgrade', async ({ actor, request }) => {
        const outcome = await downgradeRole(services, actor, request);
        return outcome.kind === 'refused'
          ? invokeMessage(outcome.message)
          : invokeCard(progressCard(outcome.view));
      }),
      // The owners' buttons. The card names the request and, on Remove, an owner's object id: both are
      // checked against the stored request; a new owner is only ever what the presser typed.
      [ACCOUNT_VERBS.owners]: this.guarded('owners', async ({ actor, request }) =>
        ownersAnswer(showOwners(actor, request)),
      ),
      [ACCOUNT_VERBS.ownersDone]: this.guarded('owners', async ({ request }) =>
        invokeCard(progressCard(await readyViewNow(services, request))),
      ),
      [ACCOUNT_VERBS.ownerAdd]: this.guarded('ownerAdd', async ({ actor, request }, data) =>
        ownersAnswer(await addOwner(owners, actor, request, inputText(data, 'newOwner'))),
      ),
      [ACCOUNT_VERBS.ownerRemove]: this.guarded('ownerRemove', async ({ actor, request }, data) =>
        ownersAnswer(await removeOwner(owners, actor, request, inputText(data, 'ownerId'))),
      ),
      [ACCOUNT_VERBS.disable]: this.guarded('disable', async ({ actor, request }) =>
        switchAnswer(await confirmSwitch(services, actor, request, 'disable')),
      ),
      [ACCOUNT_VERBS.disableConfirmed]: this.guarded('disable', async ({ actor, request }) =>
        switchAnswer(await disableAccount(services, actor, request)),
      ),
      [ACCOUNT_VERBS.enable]: this.guarded('enable', async ({ actor, request }) =>
        switchAnswer(await confirmSwitch(services, actor, request, 'enable')),
      ),
      [ACCOUNT_VERBS.enableConfirmed]: this.guarded('enable', async ({ actor, request }) =>
        switchAnswer(await enableAccount(services, actor, request)),
      ),
      [ACCOUNT_VERBS.rotate]: this.guarded('rotate', async ({ actor, request }) => {
        const outcome = await rotatePassword(services, actor, request);
        return outcome.kind === 'refused'
          ? invokeMessage(outcome.message)
          : invokeCard(progressCard(outcome.view));
      }),
      [ACCOUNT_VERBS.handOver]: this.guarded('handOver', async ({ actor, request }) => {
        const outcome = await handOverToKeyVault(services, actor, request);
        return outcome.kind === 'refused'
          ? invokeMessage(outcome.message)
          : invokeCard(progressCard(outcome.view));
      }),
    };
    return this.deps.presses.handlers(table);
  }

  /** A button whose Microsoft 365 failures are told to the presser in plain words. */
  private guarded(
    action: PressAction,
    run: (press: AdmittedPress, data: Record<string, unknown>) => Promise<AdaptiveCardInvokeResponse>,
  ): PressHandler {
    return {
      action,
      run: async (press, data) => {
        try {
          return await run(press, data);
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
}
