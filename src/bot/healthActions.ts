/**
 * Buttons on the health card: Fix (an owner; a fix that gives a right back is only asked for) and
 * Approve fix (another owner). Each handler takes the actor from the activity, reads which problem the
 * card names, calls one use case and answers with the account's health as it is after the press.
 */
import { healthCard } from '../../cards/healthCard';
import { HEALTH_VERBS, type HealthVerb } from '../../cards/verbs';
import { isAppError } from '../domain/errors';
import type { Logger } from '../logger';
import { approveHealthFix, type FixOutcome, fixHealth } from '../useCases/fixHealth';
import type { Services } from '../useCases/services';
import { inputText } from '../../dialogs/cardSubmission';
import { invokeCard, invokeMessage } from './invokeAnswers';
import type { CardActionHandler, PressGate, PressHandler } from './pressGate';

export interface HealthActionDeps {
  services: Services;
  presses: PressGate;
  logger: Logger;
}

/** A problem's name as a card may carry it: a short word, nothing else. */
function problemOf(data: Record<string, unknown>): string {
  const code = inputText(data, 'problem');
  return /^[A-Za-z]{1,40}$/.test(code) ? code : '';
}

export class HealthActions {
  constructor(private readonly deps: HealthActionDeps) {}

  handlers(): Record<string, CardActionHandler> {
    const { services } = this.deps;
    const answer = (outcome: FixOutcome) =>
      outcome.kind === 'refused' ? invokeMessage(outcome.message) : invokeCard(healthCard(outcome.view));
    const table: Record<HealthVerb, PressHandler> = {
      [HEALTH_VERBS.fix]: this.guarded('fixHealth', (press, code) =>
        fixHealth(services, press.actor, press.request, code).then(answer),
      ),
      [HEALTH_VERBS.approveFix]: this.guarded('approveHealthFix', (press, code) =>
        approveHealthFix(services, press.actor, press.request, code).then(answer),
      ),
    };
    return this.deps.presses.handlers(table);
  }

  private guarded(
    action: PressHandler['action'],
    run: (press: Parameters<PressHandler['run']>[0], code: string) => ReturnType<PressHandler['run']>,
  ): PressHandler {
    return {
      action,
      run: async (press, data) => {
        const code = problemOf(data);
        if (code === '') return invokeMessage('The card did not say which problem to fix.');
        try {
          return await run(press, code);
        } catch (failure) {
          if (!isAppError(failure)) throw failure;
          this.deps.logger.warn('Health fix failed', {
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
