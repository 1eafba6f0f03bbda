/**
 * The use cases' `Notifier` in Teams: the approval card through `ApprovalCards`, the progress card
 * (posted once, then updated in place), the "ready" message and short notes to either admin. Each
 * delivery names what it carries ("progress card", "note") for the messenger's debug line.
 */
import type { ConversationReference } from 'botbuilder';
import { healthCard } from '../../cards/healthCard';
import { progressCard } from '../../cards/progressCard';
import type { ProgressView } from '../domain/progress';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { ApproverDelivery, Audience, HealthView, Notifier } from '../domain/workPorts';
import type { Logger } from '../logger';
import type { ApprovalCards } from './approvalCards';
import type { CardCopyStore } from './cardCopies';
import type { ConversationReferenceStore } from './conversationReferences';
import type { Delivery } from './proactiveMessenger';
import { cardMessage, channelReference, failureText, type Messenger } from './teamsMessages';

export interface TeamsNotifierOptions {
  approvalCards: ApprovalCards;
  messenger: Messenger;
  conversations: ConversationReferenceStore;
  copies: CardCopyStore;
  logger: Logger;
  now: () => Date;
  approvalsChannelId?: string;
}

export class TeamsNotifier implements Notifier {
  constructor(private readonly options: TeamsNotifierOptions) {}

  async postRequesterCopy(request: ServiceAccountRequest): Promise<void> {
    await this.options.approvalCards.postRequesterCopy(request);
  }

  deliverToApprover(request: ServiceAccountRequest): Promise<ApproverDelivery> {
    return this.options.approvalCards.deliverToApprover(request);
  }

  installAdvice(request: ServiceAccountRequest): string {
    return this.options.approvalCards.installAdvice(request);
  }

  async refreshApprovalCards(request: ServiceAccountRequest): Promise<void> {
    await this.options.approvalCards.updateCopies(request);
  }

  /**
   * Shows the progress card in the requester's chat: the first call posts it, later calls update that
   * same message in place. False when the requester cannot be reached.
   */
  async showProgress(request: ServiceAccountRequest, view: ProgressView): Promise<boolean> {
    const activity = cardMessage(progressCard(view));
    const cards = await this.options.copies.get(request.tenantId, request.id);
    const existing = cards.copies.find((c) => c.card === 'progress' && c.audience === 'requester');
    if (existing !== undefined) {
      const updated = await this.options.messenger.update(
        existing.reference,
        existing.activityId,
        activity,
        'progress card',
      );
      if (updated.ok) return true;
      if (!updated.permanent) return false;
      // The message is gone (deleted, or the chat was reset): post a new one below.
    }
    const stored = await this.options.conversations.get(request.tenantId, request.requester.aadObjectId);
    if (stored === undefined) return false;
    const sent = await this.options.messenger.send(stored.reference, activity, 'progress card');
    if (!sent.ok) return false;
    await this.rememberRequesterCard(request, 'progress', sent);
    return true;
  }

  /**
   * The "ready" message: the card with next steps to the requester, a note to the approver. When the
   * requester cannot be reached, the approver gets the next steps instead, and the approvals channel
   * when neither can be reached.
   */
  async sendReady(
    request: ServiceAccountRequest,
    message: { requester: ProgressView; approverText: string; forwardText: string },
  ): Promise<{ requester: boolean; approver: boolean }> {
    const { conversations, messenger } = this.options;
    const requesterRef = await conversations.get(request.tenantId, request.requester.aadObjectId);
    let requester = false;
    if (requesterRef !== undefined) {
      const sent = await messenger.send(
        requesterRef.reference,
        cardMessage(progressCard(message.requester)),
        'ready card',
      );
      requester = sent.ok;
      if (sent.ok) {
        await this.rememberRequesterCard(request, 'ready', sent);
      } else {
        this.options.logger.warn('Could not send the ready message to the requester', {
          requestId: request.id,
          failure: failureText(sent),
        });
      }
    }
    const approverText = requester ? message.approverText : message.forwardText;
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
        'note',
      );
    }
    return { requester, approver };
  }

  /** Replaces the "ready" message in place (after a downgrade, a reset, the purge): every copy of it. */
  async updateReady(request: ServiceAccountRequest, view: ProgressView): Promise<boolean> {
    const cards = await this.options.copies.get(request.tenantId, request.id);
    let updated = false;
    for (const copy of cards.copies.filter((c) => c.card === 'ready')) {
      const result = await this.options.messenger.update(
        copy.reference,
        copy.activityId,
        cardMessage(progressCard(view)),
        'ready card',
      );
      updated ||= result.ok;
    }
    return updated;
  }

  /** A "ready" card shown again (by `status`): kept, so later changes redraw it too. */
  async rememberReadyCard(
    request: ServiceAccountRequest,
    reference: Partial<ConversationReference>,
    activityId: string,
  ): Promise<void> {
    await this.options.copies.addCopy(request.tenantId, request.id, {
      audience: 'requester',
      card: 'ready',
      reference,
      activityId,
      sentAt: this.options.now().toISOString(),
    });
  }

  /** A short note to one of the admins in their chat with the bot; false when they cannot be reached. */
  offerInApprovalsChannel(request: ServiceAccountRequest): Promise<'posted' | 'already' | 'unavailable'> {
    return this.options.approvalCards.postInApprovalsChannel(request);
  }

  tell(request: ServiceAccountRequest, who: Audience, text: string): Promise<boolean> {
    return this.tellPerson(request, who === 'requester' ? request.requester : request.approver, text);
  }

  async tellPerson(request: ServiceAccountRequest, person: Actor, text: string): Promise<boolean> {
    const stored = await this.options.conversations.get(request.tenantId, person.aadObjectId);
    if (stored === undefined) return false;
    const sent = await this.options.messenger.send(stored.reference, { type: 'message', text }, 'note');
    return sent.ok;
  }

  /** The health card in one owner's chat with the bot; false when they cannot be reached. */
  async sendHealth(request: ServiceAccountRequest, person: Actor, view: HealthView): Promise<boolean> {
    const stored = await this.options.conversations.get(request.tenantId, person.aadObjectId);
    if (stored === undefined) return false;
    const sent = await this.options.messenger.send(
      stored.reference,
      cardMessage(healthCard(view)),
      'health card',
    );
    if (!sent.ok)
      this.options.logger.warn('Could not send the health card', {
        requestId: request.id,
        failure: failureText(sent),
      });
    return sent.ok;
  }

  /** Keeps where a card went in the requester's chat, so later changes update it in place. */
  private async rememberRequesterCard(
    request: ServiceAccountRequest,
    card: 'progress' | 'ready',
    sent: Extract<Delivery, { ok: true }>,
  ): Promise<void> {
    await this.options.copies.addCopy(request.tenantId, request.id, {
      audience: 'requester',
      card,
      reference: sent.reference,
      activityId: sent.activityId,
      sentAt: this.options.now().toISOString(),
    });
  }
}
