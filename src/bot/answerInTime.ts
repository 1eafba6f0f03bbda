/**
 * Every card press is answered within `ANSWER_WITHIN_MS`, well inside the time Teams gives an invoke
 * (about 15 s). When Microsoft 365 is slow and the press's work is not done by then, the press is
 * answered that it is still under way, the work goes on, and its outcome follows in the same chat:
 * the pressed card redrawn in place, or the words of a refusal as a message. A password is never in
 * that follow-up: a late Reveal asks to be pressed again, and the answer then comes in the invoke.
 * While the work goes on, the press is kept as a durable job (`LatePresses`): if this process stops
 * before the outcome is shown, a runner does the press again on the request as it is then, and shows
 * that outcome instead (`finish`).
 */
import {
  type Activity,
  type AdaptiveCardInvokeResponse,
  type BotAdapter,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../cards/renderCard';
import type { Background, LatePress, LatePressHold, LatePresses } from '../domain/workPorts';
import type { Logger } from '../logger';
import type { Delivery } from '../teams/proactiveMessenger';
import { invokeMessage } from './invokeAnswers';

/** How long a press may take before it is answered "still working". */
export const ANSWER_WITHIN_MS = 4_000;

/** A late press of a private verb that a restart cut off: its work is not done again, the admin presses. */
export const PRESS_AGAIN_AFTER_RESTART =
  'I was restarted before Microsoft 365 answered your last press. Press the button again: the outcome is shown only to you.';

export const STILL_WORKING =
  'Microsoft 365 is taking longer than usual to answer. I am still working on it and will show the outcome in this chat when it is done.';

/** Where the follow-up of a late press goes. */
export interface FollowUps {
  send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<Delivery>;
  update(
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<Delivery>;
}

export interface AnswerInTimeOptions {
  followUps: FollowUps;
  background: Background;
  /** Keeps a late press while its work goes on, so that a restart does not lose its outcome. */
  latePresses: LatePresses;
  /** The adapter a press done again after a restart runs its handler under (it sends nothing through it). */
  adapter: BotAdapter;
  logger: Logger;
  withinMs?: number;
  /** Verbs whose answer is for the presser alone (a password): never posted to the chat afterwards. */
  private: ReadonlySet<string>;
}

type Settled = { ok: true; answer: AdaptiveCardInvokeResponse } | { ok: false; error: unknown };

/** The message a late answer becomes in the chat: a card, or words. */
export function followUpOf(
  answer: AdaptiveCardInvokeResponse | undefined,
  privateAnswer: boolean,
): { card: Record<string, unknown> } | { text: string } {
  if (answer === undefined)
    return { text: 'That did not work: something went wrong on my side. Press the button again.' };
  if (privateAnswer)
    return {
      text: 'Microsoft 365 has answered. Press the button again to see the outcome: it is shown only to you.',
    };
  if (answer.type === ADAPTIVE_CARD_CONTENT_TYPE) return { card: answer.value };
  const value: unknown = answer.value;
  if (typeof value === 'string') return { text: value };
  const message = (value as { message?: unknown } | undefined)?.message;
  return { text: typeof message === 'string' ? message : 'Done.' };
}

export class AnswerInTime {
  private readonly withinMs: number;

  constructor(private readonly options: AnswerInTimeOptions) {
    this.withinMs = options.withinMs ?? ANSWER_WITHIN_MS;
  }

  /**
   * Runs the press's handler; its answer when it comes in time, else "still working" now and the
   * outcome in the chat later. The handler gets a context of its own that outlives the turn: it only
   * reads the activity, and goes on after the turn's own context is closed.
   */
  async answer(
    verb: string,
    context: TurnContext,
    handler: (context: TurnContext) => Promise<AdaptiveCardInvokeResponse>,
  ): Promise<AdaptiveCardInvokeResponse> {
    const activity = context.activity;
    const own = new TurnContext(context.adapter, activity);
    const settled = settle(handler(own));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.withinMs);
    });
    const first = await Promise.race([settled, late]);
    clearTimeout(timer);
    if (first !== 'late') {
      if (first.ok) return first.answer;
      throw first.error;
    }
    const conversationId = activity.conversation?.id;
    this.options.logger.warn('A card press is taking long: answered that it is under way', {
      verb,
      conversationId,
      afterMs: this.withinMs,
    });
    const reference = TurnContext.getConversationReference(activity);
    const cardId = activity.replyToId;
    const kept = this.options.latePresses.keep({
      verb,
      requestId: requestIdOf(activity),
      activity: storable(activity),
    });
    // Waiting on Microsoft 365 takes no background slot: only the follow-up does, once it is known.
    void settled.then((outcome) =>
      this.options.background.run(`the outcome of ${verb}`, async () => {
        if (!(await ended(kept))) {
          this.options.logger.info('A late card press was finished by another runner', {
            verb,
            conversationId,
          });
          return;
        }
        await this.followUp(verb, conversationId, reference, cardId, outcome);
      }),
    );
    return invokeMessage(STILL_WORKING);
  }

  /**
   * A late press whose process stopped before its outcome was shown: done again on the request as it
   * is now, and its outcome shown the same way. A press meant for the presser alone is not done again:
   * its outcome could not be shown anyway, so the admin is asked to press again.
   */
  async finish(
    press: LatePress,
    handler: ((context: TurnContext) => Promise<AdaptiveCardInvokeResponse>) | undefined,
  ): Promise<void> {
    const activity = press.activity as Partial<Activity>;
    const conversationId = activity.conversation?.id;
    const reference = TurnContext.getConversationReference(activity);
    if (this.options.private.has(press.verb) || handler === undefined) {
      if (handler === undefined)
        this.options.logger.warn('A late card press has a verb this bot no longer answers', {
          verb: press.verb.slice(0, 64),
          conversationId,
        });
      await this.deliver(
        press.verb,
        conversationId,
        this.options.followUps.send(reference, {
          type: 'message',
          text:
            handler === undefined
              ? 'That button is no longer available. Send **help** to start again.'
              : PRESS_AGAIN_AFTER_RESTART,
        }),
      );
      return;
    }
    this.options.logger.info('Doing again a late card press whose outcome was not shown before a restart', {
      verb: press.verb,
      conversationId,
    });
    const outcome = await settle(handler(new TurnContext(this.options.adapter, activity)));
    await this.followUp(press.verb, conversationId, reference, activity.replyToId, outcome);
  }

  private async followUp(
    verb: string,
    conversationId: string | undefined,
    reference: Partial<ConversationReference>,
    cardId: string | undefined,
    outcome: Settled,
  ): Promise<void> {
    if (!outcome.ok)
      this.options.logger.error('A card press failed after it was answered', { verb, error: outcome.error });
    const message = followUpOf(outcome.ok ? outcome.answer : undefined, this.options.private.has(verb));
    await this.deliver(
      verb,
      conversationId,
      'card' in message
        ? this.showCard(reference, cardId, message.card)
        : this.options.followUps.send(reference, { type: 'message', text: message.text }),
    );
  }

  private async deliver(
    verb: string,
    conversationId: string | undefined,
    sent: Promise<Delivery>,
  ): Promise<void> {
    const delivered = await sent;
    if (!delivered.ok)
      this.options.logger.warn('Could not post the outcome of a card press', {
        verb,
        conversationId,
        status: delivered.status,
      });
  }

  /** The pressed card redrawn in place; a new message when the press did not say which card. */
  private showCard(
    reference: Partial<ConversationReference>,
    cardId: string | undefined,
    card: Record<string, unknown>,
  ): Promise<Delivery> {
    const activity: Partial<Activity> = {
      type: 'message',
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
    };
    return cardId === undefined || cardId === ''
      ? this.options.followUps.send(reference, activity)
      : this.options.followUps.update(reference, cardId, activity);
  }
}

/** How a press's handler ended, without throwing. */
function settle(answer: Promise<AdaptiveCardInvokeResponse>): Promise<Settled> {
  return answer.then(
    (value): Settled => ({ ok: true, answer: value }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

/** True unless another runner took the press over (then it shows the outcome). */
async function ended(kept: Promise<LatePressHold>): Promise<boolean> {
  try {
    return await (await kept).done();
  } catch {
    return true;
  }
}

/** The request a card press names, for finding its job; '' when it names none. */
function requestIdOf(activity: Partial<Activity>): string {
  const value = activity.value as { action?: { data?: { requestId?: unknown } } } | undefined;
  const requestId = value?.action?.data?.requestId;
  return typeof requestId === 'string' ? requestId : '';
}

/** The activity as plain JSON, to be kept in a job and read back after a restart. */
function storable(activity: Partial<Activity>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;
}
