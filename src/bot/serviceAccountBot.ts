/**
 * The Teams activity handler: typed text and form presses go to the dialogs, a new install gets the
 * command card, and card actions are dispatched by exact verb. Business rules live in the use cases;
 * this class only translates, and always takes the actor from the activity.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type InvokeResponse,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import { FORM_VERBS } from '../../cards/verbs';
import { type CommandReplyDeps, sendHelp } from '../../dialogs/commandReplies';
import { takeInvokeAnswer } from '../../dialogs/formPrompt';
import { conversationKind } from '../teams/conversationPlace';
import type { ConversationReferenceStore } from '../teams/conversationReferences';
import type { Logger } from '../logger';
import type { AccountActions } from './accountActions';
import type { AnswerInTime } from './answerInTime';
import type { HealthActions } from './healthActions';
import type { ApprovalActions } from './approvalActions';
import type { CardActionHandler } from './pressGate';
import type { FormTurns } from './formTurns';
import type { TenantGate } from './tenantGate';
import { invokeCard, invokeError, invokeMessage } from './invokeAnswers';
import type { LatePress } from '../domain/workPorts';

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
  /** Fix and Approve fix on the health card. */
  healthActions: HealthActions;
  /** Answers a slow press "still working" in time, and posts its outcome when it comes. */
  answers: AnswerInTime;
}

const FORM_VERB_SET: ReadonlySet<string> = new Set(Object.values(FORM_VERBS));

export class ServiceAccountBot extends TeamsActivityHandler {
  /** One handler per card verb: the forms' buttons, the approval card's, the account cards'. */
  private readonly cardActions: Readonly<Record<string, CardActionHandler>>;

  constructor(private readonly options: ServiceAccountBotOptions) {
    super();
    const formPress: CardActionHandler = async (context) => {
      await options.forms.run(context);
      const answer = takeInvokeAnswer(context);
      if (answer === undefined) return invokeMessage('Done.');
      return answer.type === 'card' ? invokeCard(answer.card) : invokeMessage(answer.text);
    };
    this.cardActions = {
      ...Object.fromEntries(Object.values(FORM_VERBS).map((verb) => [verb, formPress])),
      ...options.approvalActions.handlers(),
      ...options.accountActions.handlers(),
      ...options.healthActions.handlers(),
    };

    this.onMessage(async (context, next) => {
      asTyped(context.activity);
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

  /** The verbs this bot answers, read from its registry. */
  get verbs(): readonly string[] {
    return Object.keys(this.cardActions);
  }

  /**
   * A card press whose value is not the shape Teams sends is answered 400 here, in one warning line:
   * botbuilder would otherwise read `value.action.type` off whatever came and fail the turn.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'adaptiveCard/action') {
      const problem = cardActionProblem(context.activity.value);
      if (problem !== undefined) {
        this.options.logger.warn(`Malformed card action: ${problem}`, {
          conversationId: context.activity.conversation?.id,
        });
        const body = invokeError(400, 'BadRequest', 'This card action could not be read.');
        return { status: 400, body };
      }
    }
    return super.onInvokeActivity(context);
  }

  /** Universal Actions (`Action.Execute`), dispatched by exact verb. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const verb = typeof invokeValue?.action?.verb === 'string' ? invokeValue.action.verb : '';
    const handler = this.cardAction(verb);
    if (handler !== undefined) {
      const record = dataOf(invokeValue.action.data);
      // A form's turn keeps its dialog state in this turn: its checks of Microsoft 365 are bounded
      // instead (`FormPrompt`). Every other press is answered in time, its work going on if need be.
      if (FORM_VERB_SET.has(verb)) return handler(context, record);
      return this.options.answers.answer(verb, context, (own) => handler(own, record));
    }
    this.options.logger.warn('Card action with an unknown verb', {
      verb: verb.slice(0, 64),
      conversationId: context.activity.conversation?.id,
    });
    return invokeError(400, 'BadRequest', 'This action is not available.');
  }

  /**
   * A press answered "under way" whose process stopped before its outcome was shown (its job fell
   * due): done again through the same handler, on the request as it is now, and its outcome shown.
   */
  async finishLatePress(press: LatePress): Promise<void> {
    const handler = FORM_VERB_SET.has(press.verb) ? undefined : this.cardAction(press.verb);
    const value = press.activity.value as { action?: { data?: unknown } } | undefined;
    const record = dataOf(value?.action?.data);
    await this.options.answers.finish(
      press,
      handler === undefined ? undefined : (context) => handler(context, record),
    );
  }

  /** The handler of a card press's verb, by exact verb; undefined for a verb this bot does not answer. */
  private cardAction(verb: string): CardActionHandler | undefined {
    return Object.hasOwn(this.cardActions, verb) ? this.cardActions[verb] : undefined;
  }
}

function dataOf(data: unknown): Record<string, unknown> {
  return isRecord(data) ? data : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with an `adaptiveCard/action` value, in words for the log; undefined when nothing. */
export function cardActionProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'the value is not an object';
  if (!isRecord(value.action)) return 'value.action is missing or not an object';
  if (typeof value.action.verb !== 'string') return 'value.action.verb is not a string';
  const data = value.action.data;
  if (data !== undefined && !isRecord(data)) return 'value.action.data is not an object';
  return undefined;
}

/**
 * A help-card button (Teams' `imBack`) is the command's text as if typed. Teams sends it as plain
 * text; a client that passes the button's data through instead gets the same treatment.
 */
function asTyped(activity: TurnContext['activity']): void {
  const value = activity.value as { msteams?: { type?: unknown; value?: unknown } } | undefined;
  const back = value?.msteams;
  if (back?.type !== 'imBack' || typeof back.value !== 'string') return;
  if (typeof activity.text !== 'string' || activity.text.trim() === '') activity.text = back.value;
  activity.value = undefined;
}
