/**
 * The approval card's buttons: Approve, Reject, Cancel, Resend, Change the approver (the form, then
 * the change) and the Universal Actions refresh.
 * Each handler takes the actor the press gate admitted (the activity's object id, never the card,
 * with the directory's name), calls one use case, and answers at once with the card as this user
 * should now see it. Redrawing the other copies and telling the other admin happen in the use case,
 * off the answer's path.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import type { ApprovalViewer } from '../../cards/approvalCard';
import { renderCard } from '../../cards/renderCard';
import { REQUEST_VERBS, type RequestVerb } from '../../cards/verbs';
import { inputText } from '../../dialogs/cardSubmission';
import { type AccessChecks, authorizeDecision, sameUser } from '../domain/authorization';
import { type PressPlace } from '../domain/pressRules';
import { accountName, type Actor, type ServiceAccountRequest } from '../domain/request';
import type { Logger } from '../logger';
import type { ApprovalCards } from '../teams/approvalCards';
import { cancelRequest } from '../useCases/cancelRequest';
import { changeApprover } from '../useCases/changeApprover';
import { decideRequest, type DecisionOutcome } from '../useCases/decideRequest';
import { isOpen } from '../useCases/pendingWork';
import { resendApproval } from '../useCases/resendApproval';
import type { Services } from '../useCases/services';
import { invokeCard, invokeError, invokeMessage } from './invokeAnswers';
import type { AdmittedPress, CardActionHandler, PressGate, PressHandler } from './pressGate';
import { literal } from '../domain/words';

export interface ApprovalActionDeps {
  services: Services;
  /** Admin roles and group membership (cached briefly). */
  access: AccessChecks;
  approvalCards: ApprovalCards;
  /** Who may press which button where: every press passes it first. */
  presses: PressGate;
  logger: Logger;
  approverGroupId?: string;
}

export class ApprovalActions {
  constructor(private readonly deps: ApprovalActionDeps) {}

  /** One handler per button of the approval card, by verb. */
  handlers(): Record<string, CardActionHandler> {
    const table: Record<RequestVerb, PressHandler> = {
      [REQUEST_VERBS.refresh]: {
        action: 'refresh',
        run: async ({ actor, request, place }) =>
          invokeCard(
            await this.deps.approvalCards.card(request, await this.viewerOf(place, actor, request), {
              shared: place.kind !== 'personal',
            }),
          ),
      },
      [REQUEST_VERBS.approve]: {
        action: 'approve',
        run: (press, data) => this.decide(press, 'approve', data),
      },
      [REQUEST_VERBS.reject]: { action: 'reject', run: (press, data) => this.decide(press, 'reject', data) },
      [REQUEST_VERBS.cancel]: { action: 'cancel', run: ({ actor, request }) => this.cancel(actor, request) },
      [REQUEST_VERBS.resend]: { action: 'resend', run: ({ request }) => this.resend(request) },
      [REQUEST_VERBS.changeApprover]: {
        action: 'changeApprover',
        run: ({ request }) => this.askNewApprover(request),
      },
      [REQUEST_VERBS.changeApproverConfirmed]: {
        action: 'changeApprover',
        run: (press, data) => this.changeApprover(press, data),
      },
    };
    return this.deps.presses.handlers(table);
  }

  /**
   * The view this person gets: their own buttons only where they work (the personal chat, the
   * approvals channel), the status everywhere else.
   */
  private async viewerOf(
    place: PressPlace,
    actor: Actor,
    request: ServiceAccountRequest,
  ): Promise<ApprovalViewer> {
    const usable = place.kind === 'personal' || place.inApprovalsChannel;
    if (usable && sameUser(actor.aadObjectId, request.requester.aadObjectId)) return 'requester';
    if (usable && sameUser(actor.aadObjectId, request.approver.aadObjectId)) return 'approver';
    if (request.state === 'PendingApproval' && place.inApprovalsChannel) {
      const right = await authorizeDecision(this.deps.access, actor, request, {
        inApprovalsChannel: true,
        approverGroupId: this.deps.approverGroupId,
      });
      if (right.allowed && right.asGroupMember) return 'groupApprover';
    }
    return place.inApprovalsChannel ? 'channel' : 'other';
  }

  private async decide(
    { place, actor, request, asGroupMember }: AdmittedPress,
    decision: 'approve' | 'reject',
    data: Record<string, unknown>,
  ): Promise<AdaptiveCardInvokeResponse> {
    const comment = inputText(data, 'comment');
    const outcome = await decideRequest(this.deps.services, {
      tenantId: request.tenantId,
      requestId: request.id,
      actor,
      decision,
      comment,
      approverGroupMember: asGroupMember,
    });
    if (outcome.kind === 'refused' && outcome.status === 404)
      return invokeError(404, 'NotFound', outcome.message);
    if (outcome.kind === 'refused' && outcome.field !== 'comment')
      this.deps.logger.warn('Approval card press refused', {
        requestId: request.id,
        verb: decision,
        actor: actor.aadObjectId,
      });
    const shown = outcome.kind === 'refused' ? request : outcome.request;
    const viewer = await this.viewerOf(place, actor, shown);
    return invokeCard(
      await this.deps.approvalCards.card(shown, viewer, {
        ...decisionExtras(outcome, comment),
        shared: place.kind !== 'personal',
      }),
    );
  }

  private async cancel(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const outcome = await cancelRequest(this.deps.services, {
      tenantId: request.tenantId,
      requestId: request.id,
      actor,
    });
    if ('refused' in outcome) return invokeMessage(outcome.refused);
    return invokeCard(
      renderCard('formDone', {
        title: 'Request cancelled',
        facts: [{ title: 'Account', value: accountName(outcome.cancelled) }],
        note: 'Nothing was created.',
      }),
    );
  }

  /** The requester's card with the form for a new approver open, while the request still waits. */
  private async askNewApprover(request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const open = isOpen(request, this.deps.services.now());
    return invokeCard(
      await this.deps.approvalCards.card(
        request,
        'requester',
        open
          ? { changingApprover: true }
          : { notice: 'This request is no longer waiting for approval, so its approver cannot change.' },
      ),
    );
  }

  private async changeApprover(
    { actor, request }: AdmittedPress,
    data: Record<string, unknown>,
  ): Promise<AdaptiveCardInvokeResponse> {
    // Only the typed name is read from the card: the request is the one the gate admitted, the actor
    // the activity's, and any approver id the data may carry is ignored.
    const typed = inputText(data, 'newApprover');
    const outcome = await changeApprover(
      { ...this.deps.services, access: this.deps.access },
      { tenantId: request.tenantId, requestId: request.id, actor, typed },
    );
    const cards = this.deps.approvalCards;
    if (outcome.kind === 'changed')
      return invokeCard(
        await cards.card(outcome.request, 'requester', {
          notice: `${literal(outcome.request.approver.name)} is the approver now. I am sending them the request, and telling ${literal(outcome.former.name)} they no longer need to decide it.`,
        }),
      );
    if (outcome.request === undefined) return invokeMessage(outcome.message);
    return invokeCard(
      await cards.card(
        outcome.request,
        'requester',
        outcome.field === 'newApprover'
          ? { changingApprover: true, newApprover: typed.slice(0, 320), newApproverError: outcome.message }
          : { notice: outcome.message },
      ),
    );
  }

  private async resend(request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const outcome = await resendApproval(this.deps.services, request);
    return invokeCard(
      await this.deps.approvalCards.card(request, 'requester', {
        notice:
          outcome.kind === 'sending'
            ? `Sending it to ${literal(request.approver.name)} again; I will tell you how it went.`
            : 'This request is no longer waiting for approval, so there is nothing to send.',
      }),
    );
  }
}

/** What the presser's card adds to the decision's outcome: why nothing changed, or the comment's error. */
function decisionExtras(
  outcome: DecisionOutcome,
  comment: string | undefined,
): { notice?: string; comment?: string; commentError?: string } {
  switch (outcome.kind) {
    case 'decided':
      return {};
    case 'refused':
      return outcome.field === 'comment'
        ? { comment, commentError: outcome.message }
        : { notice: outcome.message };
    case 'unchanged': {
      const current = outcome.request;
      if (outcome.reason === 'expired' || current.state === 'Expired')
        return { notice: 'This request expired before a decision, so it can no longer be approved.' };
      return {
        notice:
          current.decision === undefined
            ? `Nothing changed: this request is ${current.state === 'Cancelled' ? 'cancelled' : 'no longer waiting for a decision'}.`
            : `Nothing changed: ${literal(current.decision.by.name)} already ${current.decision.outcome} this request.`,
      };
    }
  }
}
