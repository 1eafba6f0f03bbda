/**
 * What the bot posts about a request on its own initiative: the approval card to the approver (their
 * stored chat, a chat opened by object id, or the approvals channel), the requester's copy, updates of
 * every copy after a change, and short notes to either admin. Each copy shows its own audience's view;
 * Teams refreshes it to each viewer's view through the card's `refresh.userIds`.
 */
import type { Activity, ConversationReference } from 'botbuilder';
import { type ApprovalViewer, approvalCard } from '../../../cards/approvalCard';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCardJson } from '../../../cards/renderCard';
import type { ServiceAccountRequest } from '../../domain/request';
import type { Logger } from '../../logger';
import type { CardAudience, CardCopyStore, RequestCards } from './cardCopies';
import type { ConversationReferenceStore, StoredReference } from './conversationReferences';
import type { Delivery, ProactiveMessenger } from './proactiveMessenger';

export type Messenger = Pick<ProactiveMessenger, 'send' | 'update' | 'createPersonal'>;

export interface RequestMessagesOptions {
  messenger: Messenger;
  conversations: ConversationReferenceStore;
  copies: CardCopyStore;
  logger: Logger;
  now: () => Date;
  approvalsChannelId?: string;
  /** The Teams app id of the manifest, for the install link. */
  teamsAppId?: string;
}

/** What a card view may add: a notice, and the comment field's value and error. */
type CardExtras = { notice?: string; comment?: string; commentError?: string };

interface CardContext {
  refreshUserIds: string[];
  cards: RequestCards;
}

export type ApproverDelivery =
  | { reached: true; where: 'chat' | 'new chat' | 'approvals channel' }
  | { reached: false; reason: string; permanent: boolean };

/** The Teams user id (MRI) of someone the bot has talked to, or their Entra MRI. */
function teamsUserId(stored: StoredReference | undefined, aadObjectId: string): string {
  const id = stored?.reference.user?.id;
  return typeof id === 'string' && id !== '' ? id : `8:orgid:${aadObjectId}`;
}

function failureText(delivery: Delivery): string {
  if (delivery.ok) return '';
  const code = delivery.code === undefined ? '' : ` ${delivery.code}`;
  return delivery.status === undefined ? `no answer${code}` : `HTTP ${delivery.status}${code}`;
}

/** Where an admin finds the app in Teams: its link when the app id is known. */
export function whereToFindTheApp(teamsAppId: string | undefined): string {
  return teamsAppId === undefined
    ? 'in Teams: Apps → Built for your org → Service Account Bot'
    : `from this link: https://teams.microsoft.com/l/app/${teamsAppId}`;
}

/** A message carrying one Adaptive Card. */
function cardMessage(card: AdaptiveCardJson): Partial<Activity> {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] };
}

/** A new post in a Teams channel, through the service URL and bot of a known conversation. */
function channelReference(
  channelId: string,
  tenantId: string,
  via: Pick<Partial<ConversationReference>, 'serviceUrl' | 'bot'>,
): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: via.serviceUrl,
    bot: via.bot,
    conversation: { id: channelId, isGroup: true, conversationType: 'channel', tenantId, name: '' },
  };
}

export class RequestMessages {
  constructor(private readonly options: RequestMessagesOptions) {}

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
    return approvalCard(request, viewer, {
      now: this.options.now(),
      refreshUserIds,
      delivery: cards.approverReached ? 'delivered' : cards.failure === undefined ? 'sending' : 'failed',
      notice:
        extra.notice ??
        (viewer === 'requester' && !cards.approverReached && cards.failure !== undefined
          ? cards.failure
          : undefined),
      comment: extra.comment,
      commentError: extra.commentError,
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

  /** Posts the requester's copy into their chat with the bot. */
  async postRequesterCopy(request: ServiceAccountRequest): Promise<boolean> {
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
      const reference = channelReference(channelId, request.tenantId, {
        serviceUrl,
        bot: requesterRef?.reference.bot ?? approverRef?.reference.bot,
      });
      const posted = await messenger.send(reference, await this.cardActivity(request, 'channel'));
      if (posted.ok) {
        await this.record(request, 'channel', posted);
        return { reached: true, where: 'approvals channel' };
      }
      permanent &&= posted.permanent;
      failures.push(`the approvals channel answered ${failureText(posted)}`);
    }
    const reason = failures.length === 0 ? 'I have no way to reach them yet' : failures.join('; ');
    await this.options.copies.recordFailure(
      request.tenantId,
      request.id,
      `I could not deliver this request to ${request.approver.name}: ${reason}.`,
    );
    this.options.logger.warn('The approval card could not be delivered', { requestId: request.id, reason });
    return { reached: false, reason, permanent };
  }

  /** What the requester must ask the approver to do, when the approver cannot be reached. */
  installAdvice(request: ServiceAccountRequest): string {
    return (
      `Ask ${request.approver.name} (${request.approver.userPrincipalName}) to add Service Account Bot ${whereToFindTheApp(this.options.teamsAppId)}, ` +
      'then press **Send it to the approver again** on your request card. The request stays waiting until it expires.'
    );
  }

  /** Redraws every posted copy for its audience (after a decision, an expiry, a cancellation). */
  async updateCopies(request: ServiceAccountRequest): Promise<number> {
    const known = await this.cardContext(request);
    let updated = 0;
    for (const copy of known.cards.copies.filter((c) => c.card === 'approval')) {
      const result = await this.options.messenger.update(
        copy.reference,
        copy.activityId,
        await this.cardActivity(request, copy.audience, {}, known),
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

  /**
   * Shows the progress card in the requester's chat: the first call posts it, later calls update that
   * same message in place. False when the requester cannot be reached.
   */
  async showProgress(request: ServiceAccountRequest, card: AdaptiveCardJson): Promise<boolean> {
    const activity = cardMessage(card);
    const cards = await this.options.copies.get(request.tenantId, request.id);
    const existing = cards.copies.find((c) => c.card === 'progress' && c.audience === 'requester');
    if (existing !== undefined) {
      const updated = await this.options.messenger.update(existing.reference, existing.activityId, activity);
      if (updated.ok) return true;
      if (!updated.permanent) return false;
      // The message is gone (deleted, or the chat was reset): post a new one below.
    }
    const stored = await this.options.conversations.get(request.tenantId, request.requester.aadObjectId);
    if (stored === undefined) return false;
    const sent = await this.options.messenger.send(stored.reference, activity);
    if (!sent.ok) return false;
    await this.options.copies.addCopy(request.tenantId, request.id, {
      audience: 'requester',
      card: 'progress',
      reference: sent.reference,
      activityId: sent.activityId,
      sentAt: this.options.now().toISOString(),
    });
    return true;
  }

  /**
   * The "ready" message: the card with next steps to the requester, a note to the approver. When the
   * requester cannot be reached for good (403, 404), the approver gets the next steps instead, and the
   * approvals channel when neither can be reached.
   */
  async sendReady(
    request: ServiceAccountRequest,
    message: { requesterCard: AdaptiveCardJson; approverText: string },
  ): Promise<{ requester: boolean; approver: boolean }> {
    const { conversations, messenger } = this.options;
    const requesterRef = await conversations.get(request.tenantId, request.requester.aadObjectId);
    let requester = false;
    if (requesterRef !== undefined) {
      const sent = await messenger.send(requesterRef.reference, cardMessage(message.requesterCard));
      requester = sent.ok;
      if (sent.ok) {
        await this.options.copies.addCopy(request.tenantId, request.id, {
          audience: 'requester',
          card: 'ready',
          reference: sent.reference,
          activityId: sent.activityId,
          sentAt: this.options.now().toISOString(),
        });
      } else {
        this.options.logger.warn('Could not send the ready message to the requester', {
          requestId: request.id,
          failure: failureText(sent),
        });
      }
    }
    const account = `${request.details.username}@${request.details.domain}`;
    const approverText = requester
      ? message.approverText
      : `${account} is ready, but I could not reach ${request.requester.name} to tell them. Please let them know: launch CiraSync Enterprise setup, sign in as ${account} (its password can be reset in the Microsoft 365 admin center), then lower its role from Global Administrator.`;
    const approver = await this.tell(request, 'approver', approverText);
    if (
      !requester &&
      !approver &&
      this.options.approvalsChannelId !== undefined &&
      requesterRef !== undefined
    ) {
      await messenger.send(
        channelReference(this.options.approvalsChannelId, request.tenantId, requesterRef.reference),
        { type: 'message', text: approverText },
      );
    }
    return { requester, approver };
  }

  /** Replaces the "ready" message in place (after a downgrade, a reset, the purge). */
  async updateReady(request: ServiceAccountRequest, card: AdaptiveCardJson): Promise<boolean> {
    const cards = await this.options.copies.get(request.tenantId, request.id);
    const copy = cards.copies.find((c) => c.card === 'ready');
    if (copy === undefined) return false;
    const result = await this.options.messenger.update(copy.reference, copy.activityId, cardMessage(card));
    return result.ok;
  }

  /** A short note to one of the admins in their chat with the bot; false when they cannot be reached. */
  async tell(request: ServiceAccountRequest, who: 'requester' | 'approver', text: string): Promise<boolean> {
    const person = who === 'requester' ? request.requester : request.approver;
    const stored = await this.options.conversations.get(request.tenantId, person.aadObjectId);
    if (stored === undefined) return false;
    const sent = await this.options.messenger.send(stored.reference, { type: 'message', text });
    return sent.ok;
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
    });
  }
}
