/**
 * The approval card in Teams: drawn for each audience, delivered to the approver (their stored chat,
 * a chat opened by object id, or the approvals channel), the requester's copy, and every copy redrawn
 * after a change. Each copy shows its own audience's view; Teams refreshes it to each viewer's view
 * through the card's `refresh.userIds`.
 */
import type { Activity } from 'botbuilder';
import { type ApprovalViewer, approvalCard } from '../../cards/approvalCard';
import type { AdaptiveCardJson } from '../../cards/renderCard';
import type { ServiceAccountRequest } from '../domain/request';
import type { ApproverDelivery } from '../domain/workPorts';
import type { Logger } from '../logger';
import {
  type CardAudience,
  type CardCopy,
  type CardCopyStore,
  deliveryTo,
  type RequestCards,
} from './cardCopies';
import type { ConversationReferenceStore, StoredReference } from './conversationReferences';
import type { Delivery } from './proactiveMessenger';
import {
  cardMessage,
  channelReference,
  failureText,
  type Messenger,
  teamsUserId,
  whereToFindTheApp,
} from './teamsMessages';
import { literal } from '../domain/words';

export interface ApprovalCardsOptions {
  messenger: Messenger;
  conversations: ConversationReferenceStore;
  copies: CardCopyStore;
  logger: Logger;
  now: () => Date;
  approvalsChannelId?: string;
  /** The Teams app id of the manifest, for the install link. */
  teamsAppId?: string;
}

/**
 * What a card view may add: a notice, the comment field's value and error, the requester's form for
 * a new approver (its value and error), and whether it is drawn in a shared conversation.
 */
export type CardExtras = {
  notice?: string;
  comment?: string;
  commentError?: string;
  changingApprover?: boolean;
  newApprover?: string;
  newApproverError?: string;
  /** Drawn for someone in the approvals channel: buttons that work only in a personal chat are left out. */
  shared?: boolean;
};

interface CardContext {
  refreshUserIds: string[];
  cards: RequestCards;
}

export class ApprovalCards {
  constructor(private readonly options: ApprovalCardsOptions) {}

  /** The card as an attachment activity, drawn for one audience. */
  async cardActivity(
    request: ServiceAccountRequest,
    viewer: ApprovalViewer,
    extra: CardExtras = {},
    known?: CardContext,
  ): Promise<Partial<Activity>> {
    return cardMessage(await this.card(request, viewer, extra, known));
  }

  async card(
    request: ServiceAccountRequest,
    viewer: ApprovalViewer,
    extra: CardExtras = {},
    known?: CardContext,
  ): Promise<AdaptiveCardJson> {
    const { refreshUserIds, cards } = known ?? (await this.cardContext(request));
    const delivery = deliveryTo(cards, request.approver.aadObjectId);
    return approvalCard(request, viewer, {
      now: this.options.now(),
      refreshUserIds,
      delivery: delivery.state,
      notice:
        extra.notice ??
        (viewer === 'requester' && request.state === 'PendingApproval' && delivery.state === 'failed'
          ? delivery.failure
          : undefined),
      comment: extra.comment,
      commentError: extra.commentError,
      changingApprover: extra.changingApprover,
      newApprover: extra.newApprover,
      newApproverError: extra.newApproverError,
      shared: extra.shared,
    });
  }

  /** What every view of a request's card needs from storage: who refreshes it, where it was delivered. */
  private async cardContext(request: ServiceAccountRequest): Promise<CardContext> {
    const [requester, approver, cards] = await Promise.all([
      this.options.conversations.get(request.tenantId, request.requester.aadObjectId),
      this.options.conversations.get(request.tenantId, request.approver.aadObjectId),
      this.options.copies.get(request.tenantId, request.id),
    ]);
    return {
      refreshUserIds: [
        teamsUserId(approver, request.approver.aadObjectId),
        teamsUserId(requester, request.requester.aadObjectId),
      ],
      cards,
    };
  }

  /** Posts the requester's copy into their chat with the bot, unless it is there already. */
  async postRequesterCopy(request: ServiceAccountRequest): Promise<boolean> {
    const posted = await this.options.copies.get(request.tenantId, request.id);
    if (posted.copies.some((c) => c.audience === 'requester' && c.card === 'approval')) return true;
    const stored = await this.options.conversations.get(request.tenantId, request.requester.aadObjectId);
    if (stored === undefined) return false;
    const delivery = await this.options.messenger.send(
      stored.reference,
      await this.cardActivity(request, 'requester'),
    );
    if (!delivery.ok) {
      this.options.logger.warn('Could not post the requester’s card', {
        requestId: request.id,
        failure: failureText(delivery),
      });
      return false;
    }
    await this.record(request, 'requester', delivery);
    return true;
  }

  /**
   * Puts the approval card in front of the approver: their stored chat, else a chat opened by object
   * id (the app must be installed for them), else the approvals channel when one is configured.
   */
  async deliverToApprover(request: ServiceAccountRequest): Promise<ApproverDelivery> {
    const { conversations, messenger } = this.options;
    const approverRef = await conversations.get(request.tenantId, request.approver.aadObjectId);
    const failures: string[] = [];
    let permanent = true;
    const activity = await this.cardActivity(request, 'approver');
    if (approverRef !== undefined) {
      const sent = await messenger.send(approverRef.reference, activity);
      if (sent.ok) {
        await this.record(request, 'approver', sent);
        return { reached: true, where: 'chat' };
      }
      permanent &&= sent.permanent;
      failures.push(`their chat with the bot answered ${failureText(sent)}`);
    }
    const requesterRef = await conversations.get(request.tenantId, request.requester.aadObjectId);
    const serviceUrl = approverRef?.reference.serviceUrl ?? requesterRef?.reference.serviceUrl;
    if (serviceUrl !== undefined) {
      const created = await messenger.createPersonal(
        { serviceUrl, tenantId: request.tenantId, aadObjectId: request.approver.aadObjectId },
        activity,
      );
      if (created.ok) {
        await this.options.conversations.rememberOpened(
          {
            tenantId: request.tenantId,
            aadObjectId: request.approver.aadObjectId,
            name: request.approver.name,
          },
          created.reference,
          this.options.now(),
        );
        await this.record(request, 'approver', created);
        return { reached: true, where: 'new chat' };
      }
      permanent &&= created.permanent;
      failures.push(
        created.status === 403 || created.status === 404
          ? 'they do not have the app in Teams'
          : `opening a chat answered ${failureText(created)}`,
      );
    }
    const channelId = this.options.approvalsChannelId;
    if (channelId !== undefined && serviceUrl !== undefined) {
      const posted = await this.postChannelCopy(request, channelId, serviceUrl, [requesterRef, approverRef]);
      if (posted.ok) return { reached: true, where: 'approvals channel' };
      permanent &&= posted.permanent;
      failures.push(`the approvals channel answered ${failureText(posted)}`);
    }
    const reason = failures.length === 0 ? 'I have no way to reach them yet' : failures.join('; ');
    await this.options.copies.recordFailure(
      request.tenantId,
      request.id,
      `I could not deliver this request to ${literal(request.approver.name)}: ${reason}.`,
      request.approver.aadObjectId,
    );
    this.options.logger.warn('The approval card could not be delivered', { requestId: request.id, reason });
    return { reached: false, reason, permanent };
  }

  /**
   * Posts the channel's copy in the approvals channel (once), for the approver group's members to
   * decide on when the approver has not.
   */
  async postInApprovalsChannel(
    request: ServiceAccountRequest,
  ): Promise<'posted' | 'already' | 'unavailable'> {
    const channelId = this.options.approvalsChannelId;
    if (channelId === undefined) return 'unavailable';
    const posted = await this.options.copies.get(request.tenantId, request.id);
    if (posted.copies.some((c) => c.audience === 'channel' && c.card === 'approval')) return 'already';
    const { conversations } = this.options;
    const known = await Promise.all([
      conversations.get(request.tenantId, request.requester.aadObjectId),
      conversations.get(request.tenantId, request.approver.aadObjectId),
    ]);
    const serviceUrl = known[0]?.reference.serviceUrl ?? known[1]?.reference.serviceUrl;
    if (serviceUrl === undefined) return 'unavailable';
    const sent = await this.postChannelCopy(request, channelId, serviceUrl, known);
    if (!sent.ok) {
      this.options.logger.warn('Could not post the approval card in the approvals channel', {
        requestId: request.id,
        failure: failureText(sent),
      });
      return 'unavailable';
    }
    return 'posted';
  }

  /**
   * Posts the channel's view in the approvals channel, as the bot the requester's (else the approver's)
   * stored conversation names, and records the copy when it is there.
   */
  private async postChannelCopy(
    request: ServiceAccountRequest,
    channelId: string,
    serviceUrl: string,
    known: readonly [StoredReference | undefined, StoredReference | undefined],
  ): Promise<Delivery> {
    const reference = channelReference(channelId, request.tenantId, {
      serviceUrl,
      bot: known[0]?.reference.bot ?? known[1]?.reference.bot,
    });
    const sent = await this.options.messenger.send(reference, await this.cardActivity(request, 'channel'));
    await this.record(request, 'channel', sent);
    return sent;
  }

  /** What the requester must ask the approver to do, when the approver cannot be reached. */
  installAdvice(request: ServiceAccountRequest): string {
    return (
      `Ask ${literal(request.approver.name)} (${request.approver.userPrincipalName}) to add Service Account Bot ${whereToFindTheApp(this.options.teamsAppId)}, ` +
      'then press **Send it to the approver again** on your request card. The request stays waiting until it expires.'
    );
  }

  /**
   * Redraws every posted copy for its audience (after a decision, an expiry, a cancellation, a new
   * approver). A copy posted for an approver the request no longer names is that former approver's:
   * it says who decides now and has nothing to press.
   */
  async updateCopies(request: ServiceAccountRequest): Promise<number> {
    const known = await this.cardContext(request);
    let updated = 0;
    for (const copy of known.cards.copies.filter((c) => c.card === 'approval')) {
      const result = await this.options.messenger.update(
        copy.reference,
        copy.activityId,
        await this.cardActivity(request, viewerOfCopy(copy, request), {}, known),
      );
      if (result.ok) updated++;
      else
        this.options.logger.warn('Could not update a copy of the approval card', {
          requestId: request.id,
          audience: copy.audience,
          failure: failureText(result),
        });
    }
    return updated;
  }

  private async record(
    request: ServiceAccountRequest,
    audience: CardAudience,
    delivery: Delivery,
  ): Promise<void> {
    if (!delivery.ok) return;
    await this.options.copies.addCopy(request.tenantId, request.id, {
      audience,
      card: 'approval',
      reference: delivery.reference,
      activityId: delivery.activityId,
      sentAt: this.options.now().toISOString(),
      ...(audience === 'requester' ? {} : { approverId: request.approver.aadObjectId }),
    });
  }
}

/** Who a posted copy is drawn for now: its audience, or its former approver once the approver changed. */
function viewerOfCopy(copy: CardCopy, request: ServiceAccountRequest): ApprovalViewer {
  if (
    copy.audience === 'approver' &&
    copy.approverId !== undefined &&
    copy.approverId.toLowerCase() !== request.approver.aadObjectId.toLowerCase()
  )
    return 'formerApprover';
  return copy.audience;
}
