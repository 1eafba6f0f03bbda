/**
 * Buttons on the progress and "ready" cards: Retry and Remove what was created (after a failure),
 * Reveal password and Reset password (the hand-over, requester only), Downgrade role (after the
 * product's first sign-in). Each handler takes the actor from the activity, calls one use case and
 * draws its outcome; the password goes only to the requester, only in the invoke's answer.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { progressCard } from '../../cards/progressCard';
import { renderCard } from '../../cards/renderCard';
import { ACCOUNT_VERBS, type AccountVerb } from '../../cards/verbs';
import type { PressAction } from '../domain/pressRules';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { downgradeRole } from '../useCases/downgradeRole';
import { confirmRemoval, removeCreated } from '../useCases/removeCreated';
import { resetPassword } from '../useCases/resetPassword';
import { retryProvisioning } from '../useCases/retryProvisioning';
import { revealPassword } from '../useCases/revealPassword';
import type { Services } from '../useCases/services';
import { invokeCard, invokeMessage } from './invokeAnswers';
import type { AdmittedPress, CardActionHandler, PressGate, PressHandler } from './pressGate';

export interface AccountActionDeps {
  services: Services;
  /** Who may press which button where: every press passes it first. */
  presses: PressGate;
  logger: Logger;
}

export class AccountActions {
  constructor(private readonly deps: AccountActionDeps) {}

  /** One handler per button of the progress and "ready" cards, by verb. */
  handlers(): Record<string, CardActionHandler> {
    const { services } = this.deps;
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
        const card = renderCard('formDone', {
          title: `Password of ${outcome.account}`,
          facts: [{ title: 'Password', value: outcome.password }],
          note: `Shown to you alone and not kept in this chat: copy it into CiraSync Enterprise setup now. I forget it at ${outcome.forgetAt}; after that, Reset password makes a new one.`,
        });
        // This answer takes the place of the "ready" message in the chat: its next step stays at hand.
        return invokeCard({
          ...card,
          actions: [
            {
              type: 'Action.Execute',
              title: 'Downgrade role',
              verb: ACCOUNT_VERBS.downgrade,
              associatedInputs: 'none',
              data: { requestId: request.id, verb: ACCOUNT_VERBS.downgrade },
            },
          ],
        });
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
}
