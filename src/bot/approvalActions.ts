/**
 * The approval card's buttons: Approve, Reject, Cancel, Resend and the Universal Actions refresh.
 * Each handler reloads the request, takes the actor from the activity (never from the card), lets
 * the domain decide, and answers at once with the card as this user should now see it. Updating the
 * other copies and telling the other admin happen afterwards, off the invoke's path.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { renderCard } from '../../cards/renderCard';
import type { ApprovalViewer } from '../../cards/approvalCard';
import { REQUEST_VERBS, type RequestVerb } from '../../cards/verbs';
import type { RequestMessages } from '../adapters/teams/requestMessages';
import { decideRequest } from '../domain/decideRequest';
import { type AccessChecks, authorizeDecision, type PressPlace, sameUser } from '../domain/authorization';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import { cancelRequest } from '../domain/requestUseCases';
import { APPROVAL_JOBS, approvalJobId } from '../jobs/approvalJobs';
import { type JobStore, scheduleJob } from '../jobs/jobs';
import { PROVISION_JOB, provisionJobId } from '../jobs/provisioningJob';
import type { Logger } from '../logger';
import type { BackgroundWork } from './backgroundWork';
import { inputText } from '../../dialogs/cardSubmission';
import { invokeCard, invokeError, invokeMessage } from './invokeAnswers';
import type { AdmittedPress, CardActionHandler, PressGate, PressHandler } from './pressGate';

export interface ApprovalActionDeps {
  requests: RequestStore;
  audit: AuditLog;
  /** Admin roles and group membership (cached briefly). */
  access: AccessChecks;
  messages: RequestMessages;
  jobs: JobStore;
  /** Wakes the job runner: work was just scheduled. */
  pokeJobs: () => void;
  background: BackgroundWork;
  /** Who may press which button where: every press passes it first. */
  presses: PressGate;
  logger: Logger;
  tenantId: string;
  now: () => Date;
  approverGroupId?: string;
}

function account(request: ServiceAccountRequest): string {
  return `${request.details.username}@${request.details.domain}`;
}

export class ApprovalActions {
  constructor(private readonly deps: ApprovalActionDeps) {}

  /** One handler per button of the approval card, by verb. */
  handlers(): Record<string, CardActionHandler> {
    const table: Record<RequestVerb, PressHandler> = {
      [REQUEST_VERBS.refresh]: {
        action: 'refresh',
        run: async ({ actor, request, place }) =>
          invokeCard(await this.deps.messages.card(request, await this.viewerOf(place, actor, request))),
      },
      [REQUEST_VERBS.approve]: {
        action: 'approve',
        run: (press, data) => this.decide(press, 'approve', data),
      },
      [REQUEST_VERBS.reject]: {
        action: 'reject',
        run: (press, data) => this.decide(press, 'reject', data),
      },
      [REQUEST_VERBS.cancel]: { action: 'cancel', run: ({ actor, request }) => this.cancel(actor, request) },
      [REQUEST_VERBS.resend]: { action: 'resend', run: ({ request }) => this.resend(request) },
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
    const outcome = await decideRequest(this.deps.requests, this.deps.audit, {
      tenantId: this.deps.tenantId,
      requestId: request.id,
      actor,
      decision,
      comment,
      now: this.deps.now(),
      approverGroupMember: asGroupMember,
      beforeApprove: (r) => this.scheduleProvisioning(r),
    });
    switch (outcome.kind) {
      case 'refused': {
        if (outcome.status === 404) return invokeError(404, 'NotFound', outcome.message);
        const viewer = await this.viewerOf(place, actor, request);
        if (outcome.field === 'comment') {
          return invokeCard(
            await this.deps.messages.card(request, viewer, { comment, commentError: outcome.message }),
          );
        }
        this.deps.logger.warn('Approval card press refused', {
          requestId: request.id,
          verb: decision,
          actor: actor.aadObjectId,
        });
        return invokeCard(await this.deps.messages.card(request, viewer, { notice: outcome.message }));
      }
      case 'unchanged': {
        const current = outcome.request;
        const notice =
          outcome.reason === 'expired' || current.state === 'Expired'
            ? 'This request expired before a decision, so it can no longer be approved.'
            : current.decision === undefined
              ? `Nothing changed: this request is ${current.state === 'Cancelled' ? 'cancelled' : 'no longer waiting for a decision'}.`
              : `Nothing changed: ${current.decision.by.name} already ${current.decision.outcome} this request.`;
        // Nothing changed: the copies already show it (the decision, or the expiry job, redrew them).
        return invokeCard(
          await this.deps.messages.card(current, await this.viewerOf(place, actor, current), { notice }),
        );
      }
      case 'decided': {
        const decided = outcome.request;
        this.afterChange(decided, decision === 'approve' ? 'approved' : 'rejected');
        return invokeCard(await this.deps.messages.card(decided, await this.viewerOf(place, actor, decided)));
      }
    }
  }

  /** The provisioning job an approval starts; enqueued before the decision, so none is ever lost. */
  private async scheduleProvisioning(request: ServiceAccountRequest): Promise<void> {
    const now = this.deps.now().getTime();
    await this.deps.jobs.enqueue(
      {
        id: provisionJobId(request.tenantId, request.id),
        kind: PROVISION_JOB,
        tenantId: request.tenantId,
        requestId: request.id,
        runAt: now,
      },
      now,
    );
  }

  private async cancel(actor: Actor, request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const outcome = await cancelRequest(this.deps.requests, this.deps.audit, {
      tenantId: this.deps.tenantId,
      requestId: request.id,
      actor,
      now: this.deps.now(),
    });
    if ('refused' in outcome) return invokeMessage(outcome.refused);
    this.afterChange(outcome.cancelled, 'cancelled');
    return invokeCard(
      renderCard('formDone', {
        title: 'Request cancelled',
        facts: [{ title: 'Account', value: account(outcome.cancelled) }],
        note: 'Nothing was created.',
      }),
    );
  }

  private async resend(request: ServiceAccountRequest): Promise<AdaptiveCardInvokeResponse> {
    const now = this.deps.now();
    if (request.state !== 'PendingApproval' || now.getTime() >= Date.parse(request.expiresAt)) {
      return invokeCard(
        await this.deps.messages.card(request, 'requester', {
          notice: 'This request is no longer waiting for approval, so there is nothing to send.',
        }),
      );
    }
    await scheduleJob(
      this.deps.jobs,
      {
        id: approvalJobId(APPROVAL_JOBS.deliver, request.tenantId, request.id),
        kind: APPROVAL_JOBS.deliver,
        tenantId: request.tenantId,
        requestId: request.id,
        runAt: now.getTime(),
      },
      now.getTime(),
    );
    this.deps.pokeJobs();
    return invokeCard(
      await this.deps.messages.card(request, 'requester', {
        notice: `Sending it to ${request.approver.name} again; I will tell you how it went.`,
      }),
    );
  }

  /** Off the invoke's path: every copy redrawn, the other admin told, the job runner woken. */
  private afterChange(
    request: ServiceAccountRequest,
    event: 'approved' | 'rejected' | 'cancelled' | 'expired' | undefined,
  ): void {
    this.deps.pokeJobs();
    this.deps.background.run('approval card update', async () => {
      await this.deps.messages.updateCopies(request);
      const decision = request.decision;
      if (event === 'approved' && decision !== undefined) {
        await this.deps.messages.tell(
          request,
          'requester',
          `${decision.by.name} approved your request for ${account(request)}. I am setting up the account now and will keep you posted here.`,
        );
      } else if (event === 'rejected' && decision !== undefined) {
        await this.deps.messages.tell(
          request,
          'requester',
          `${decision.by.name} rejected your request for ${account(request)}: “${decision.comment ?? ''}”. Nothing was created.`,
        );
      } else if (event === 'cancelled') {
        await this.deps.messages.tell(
          request,
          'approver',
          `${request.requester.name} cancelled their request for ${account(request)}; there is nothing to decide.`,
        );
      }
    });
  }
}
