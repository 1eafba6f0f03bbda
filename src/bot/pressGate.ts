/**
 * The one door every request button goes through (approval, progress and "ready" cards): which
 * request the card names, who pressed (the activity's object id, never the card, named by the
 * directory), where (personal chat, group chat, channel, the approvals channel), and whether that
 * person may press that button there now.
 * A refusal is answered in plain words, logged, and audited with the actor, the request's owner and
 * the place.
 */
import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import { inputText } from '../../dialogs/cardSubmission';
import { conversationKind, inChannel } from '../teams/conversationPlace';
import { type AccessChecks } from '../domain/authorization';
import type { DirectoryNames } from '../domain/directoryNames';
import {
  authorizePress,
  CONVERSATION_NAMES,
  type PressAction,
  type PressGroups,
  type PressPlace,
  PRESS_ACTION_NAMES,
} from '../domain/pressRules';
import { isAppError } from '../domain/errors';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { RequestStore } from '../domain/requestPorts';
import type { Logger } from '../logger';
import { claimedActor } from './actor';
import { invokeError, invokeMessage } from './invokeAnswers';
import type { RefusalAudit } from './refusalAudit';

export interface PressGateDeps extends PressGroups {
  requests: RequestStore;
  access: AccessChecks;
  /** The presser's name from the directory (the activity's is only what the Teams client sent). */
  names: DirectoryNames;
  refusals: RefusalAudit;
  logger: Logger;
  tenantId: string;
  approvalsChannelId?: string;
}

/** What a card press is answered with, given the press and the card's data. */
export type CardActionHandler = (
  context: TurnContext,
  data: Record<string, unknown>,
) => Promise<AdaptiveCardInvokeResponse>;

/** One request button: the rule it is checked against, and what it does once admitted. */
export interface PressHandler {
  action: PressAction;
  run: (press: AdmittedPress, data: Record<string, unknown>) => Promise<AdaptiveCardInvokeResponse>;
}

export interface AdmittedPress {
  /** The presser: the activity's object id, with the directory's display name. */
  actor: Actor;
  request: ServiceAccountRequest;
  place: PressPlace;
  /** The decision comes from a member of the approver group in the approvals channel. */
  asGroupMember: boolean;
}

export class PressGate {
  constructor(private readonly deps: PressGateDeps) {}

  /** Where the activity was pressed. */
  private placeOf(context: TurnContext): PressPlace {
    return {
      kind: conversationKind(context.activity),
      inApprovalsChannel: inChannel(context.activity, this.deps.approvalsChannelId),
    };
  }

  /**
   * The press, when it may go ahead; otherwise the answer to give: no or an oversized request id
   * (400), no Entra identity on the activity (403), no such request (404), or the refusal in words.
   */
  async admit(
    context: TurnContext,
    action: PressAction,
    data: Record<string, unknown>,
  ): Promise<AdmittedPress | { refusal: AdaptiveCardInvokeResponse }> {
    const requestId = inputText(data, 'requestId');
    if (requestId === '' || requestId.length > 64)
      return { refusal: invokeError(400, 'BadRequest', 'The card did not say which request.') };
    const claimed = claimedActor(context.activity);
    if (claimed === undefined)
      return { refusal: invokeError(403, 'Forbidden', 'I could not tell who you are.') };
    // The name is looked up while the request is read and the access is checked (a cold cache asks
    // Graph for both at once); the rules need only the object id.
    const naming = this.deps.names.resolve(claimed);
    const request = await this.deps.requests.get(this.deps.tenantId, requestId);
    if (request === undefined)
      return { refusal: invokeError(404, 'NotFound', 'I cannot find that request.') };
    const place = this.placeOf(context);
    let right;
    try {
      right = await authorizePress(this.deps.access, { action, actor: claimed, request, place }, this.deps);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return {
        refusal: invokeMessage(
          `I could not check your admin role with Microsoft 365 just now (${error.userMessage}) Press the button again in a moment.`,
        ),
      };
    }
    const actor = await naming;
    if (right.allowed) return { actor, request, place, asGroupMember: right.asGroupMember };
    this.deps.logger.warn('Card press refused', {
      requestId,
      action,
      why: right.why,
      actor: actor.aadObjectId,
    });
    await this.deps.refusals.record(`press|${actor.aadObjectId}|${request.id}|${action}`, {
      requestId: request.id,
      tenantId: request.tenantId,
      event: 'press refused',
      actor,
      outcome: 'refused',
      detail: `${PRESS_ACTION_NAMES[action]} on the request of ${request.requester.name} for ${request.details.username}@${request.details.domain}, in ${CONVERSATION_NAMES[place.kind]}: ${right.message}`,
    });
    return { refusal: invokeMessage(right.message) };
  }

  /** The handlers of a table of buttons, by verb, each passing this gate before it runs. */
  handlers(table: Readonly<Record<string, PressHandler>>): Record<string, CardActionHandler> {
    return Object.fromEntries(
      Object.entries(table).map(([verb, { action, run }]): [string, CardActionHandler] => [
        verb,
        async (context, data) => {
          const pressed = await this.admit(context, action, data);
          return 'refusal' in pressed ? pressed.refusal : run(pressed, data);
        },
      ]),
    );
  }
}
