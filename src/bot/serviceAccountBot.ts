/**
 * The Teams activity handler: typed text and form presses go to the dialogs, a new install gets the
 * command card, and card actions are dispatched by exact verb. Business rules live in the use cases;
 * this class only translates, and always takes the actor from the activity.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import { isFormVerb } from '../../cards/verbs';
import { type CommandReplyDeps, sendHelp } from '../../dialogs/commandReplies';
import { takeInvokeAnswer } from '../../dialogs/formPrompt';
import { conversationKind } from '../adapters/teams/conversationPlace';
import type { ConversationReferenceStore } from '../adapters/teams/conversationReferences';
import type { Logger } from '../logger';
import { ACCOUNT_ACTION_VERBS, type AccountActions } from './accountActions';
import { APPROVAL_ACTION_VERBS, type ApprovalActions } from './approvalActions';
import type { FormTurns } from './formTurns';
import type { TenantGate } from './tenantGate';
import { invokeCard, invokeError, invokeMessage } from './invokeAnswers';

export interface ServiceAccountBotOptions extends CommandReplyDeps {
  logger: Logger;
  /** Lets only the bot's own tenant (and Teams, in live mode) through. */
  gate: TenantGate;
  /** Where each admin's personal conversation is remembered, for proactive messages. */
  conversations: ConversationReferenceStore;
  /** Typed commands and request-form presses (personal chat only, per user). */
  forms: FormTurns;
  /** Approve, Reject, Cancel, Resend and refresh on the approval card. */
  approvalActions: ApprovalActions;
  /** Retry, Remove, Reveal password and Downgrade on the progress card. */
  accountActions: AccountActions;
}

export class ServiceAccountBot extends TeamsActivityHandler {
  constructor(private readonly options: ServiceAccountBotOptions) {
    super();

    this.onMessage(async (context, next) => {
      await options.forms.run(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
      if (botWasAdded) {
        // The admin-only readiness line is for the personal chat, not for everyone in a group or team.
        const shared = conversationKind(context.activity) !== 'personal';
        await sendHelp(
          context,
          shared ? { ...options, readinessFor: undefined } : options,
          '',
          'Hello! I set up the dedicated service account that CiraSync Enterprise needs in your Microsoft 365 tenant, with a second admin’s approval, and I tell you when it is ready.',
        );
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    if (!(await this.options.gate.admit(context))) {
      if (context.activity.type === 'invoke') {
        await context.sendActivity({
          type: 'invokeResponse',
          value: {
            status: 403,
            body: { code: 'Forbidden', message: 'This bot serves another organisation.' },
          },
        });
      }
      return;
    }
    try {
      await this.options.conversations.remember(context.activity, this.options.now());
    } catch (error) {
      // Not being able to remember where to reach someone must not fail their turn.
      this.options.logger.warn('Could not store the conversation reference', {
        conversationId: context.activity.conversation?.id,
        error,
      });
    }
    await super.run(context);
  }

  /** Universal Actions (`Action.Execute`), dispatched by exact verb. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const verb = typeof invokeValue?.action?.verb === 'string' ? invokeValue.action.verb : '';
    if (isFormVerb(verb)) {
      await this.options.forms.run(context);
      const answer = takeInvokeAnswer(context);
      if (answer === undefined) return invokeMessage('Done.');
      return answer.type === 'card' ? invokeCard(answer.card) : invokeMessage(answer.text);
    }
    const data = (invokeValue.action.data ?? {}) as Record<string, unknown>;
    if (APPROVAL_ACTION_VERBS.includes(verb)) return this.options.approvalActions.handle(context, verb, data);
    if (ACCOUNT_ACTION_VERBS.includes(verb)) return this.options.accountActions.handle(context, verb, data);
    this.options.logger.warn('Card action with an unknown verb', {
      verb: verb.slice(0, 64),
      conversationId: context.activity.conversation?.id,
    });
    return invokeError(400, 'BadRequest', 'This action is not available.');
  }
}
