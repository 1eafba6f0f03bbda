/**
 * One Adaptive Card form as a dialog: sends the card with a fresh form id and waits for its buttons.
 * A press on any other card (an earlier step, a second press, a card from a cancelled request) is
 * answered "this form is no longer active" and changes nothing. Invalid input re-shows the same card,
 * values kept and each error next to its field — in place when the press came as an invoke.
 */
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import {
  Dialog,
  type DialogContext,
  type DialogInstance,
  DialogReason,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type CardData,
  type CardName,
  type Fact,
  literal,
  renderCard,
} from '../cards/renderCard';
import { FORM_VERBS } from '../cards/verbs';
import { actorOf } from '../src/bot/actor';
import { sameUser } from '../src/domain/authorization';
import { isAppError } from '../src/domain/errors';
import { within } from '../src/domain/patience';
import type { Actor } from '../src/domain/request';
import { type CardSubmission, readCardSubmission } from './cardSubmission';

/**
 * How long a form's checks with Microsoft 365 may take: the press is answered within Teams' time for
 * an invoke, with the entries kept and "press again" when Microsoft 365 is slower than this.
 */
export const FORM_CHECK_WITHIN_MS = 3_500;

export const FORM_INACTIVE_MESSAGE =
  'This form is no longer active. Type `new service account` to start again.';
const USE_THE_CARD_MESSAGE = 'Please use the buttons on the card above, or type `cancel` to stop.';
const INVOKE_RESPONSE_KEY = Symbol('formInvokeResponse');
const SHOWN_FORMS_KEY = Symbol('formsShown');

/** The answer to a press on a form that belongs to someone else. */
export function othersFormMessage(owner: Actor): string {
  return `This form belongs to ${literal(owner.name)}: only they can fill it in. To ask for a service account yourself, type \`new service account\` in our personal chat.`;
}

/** What a press on the form came to. */
export type FormResult =
  | { kind: 'next'; values: Record<string, string>; formId: string }
  | { kind: 'back' | 'cancel' | 'retry' }
  | { kind: 'edit'; section: string };

export type FormCardName = Exclude<CardName, 'help' | 'formDone' | 'requestList' | 'auditList'>;

export interface FormPromptOptions<K extends FormCardName> {
  card: K;
  /** The card's data without `formId` (the prompt adds it). */
  data: Omit<CardData[K], 'formId'>;
}

/** A validator turns the submitted inputs into values, or the card data to show again with errors. */
export type FormValidator = (
  context: TurnContext,
  inputs: Record<string, unknown>,
  shown: Record<string, unknown>,
) => Promise<
  | { ok: true; values: Record<string, string>; done: { title: string; facts: Fact[] } }
  | { ok: false; data: Record<string, unknown> }
>;

interface FormState {
  card: FormCardName;
  data: Record<string, unknown>;
  formId: string;
  /** Who the form was shown to: the only person whose presses it takes. */
  owner?: Actor;
  /** The chat message that shows the form now, so a typed `cancel` can close it in place. */
  activityId?: string;
}

/** The answer an `adaptiveCard/action` invoke gets, as set during the turn. */
export type CardInvokeAnswer =
  { type: 'card'; card: Record<string, unknown> } | { type: 'message'; text: string };

export function setInvokeAnswer(context: TurnContext, answer: CardInvokeAnswer): void {
  context.turnState.set(INVOKE_RESPONSE_KEY, answer);
}

export function takeInvokeAnswer(context: TurnContext): CardInvokeAnswer | undefined {
  return context.turnState.get(INVOKE_RESPONSE_KEY) as CardInvokeAnswer | undefined;
}

/** The forms shown during this turn, with their owners, to be remembered once the turn is over. */
export function formsShown(context: TurnContext): { formId: string; owner: Actor }[] {
  return (context.turnState.get(SHOWN_FORMS_KEY) as { formId: string; owner: Actor }[] | undefined) ?? [];
}

function noteShown(context: TurnContext, formId: string, owner: Actor): void {
  context.turnState.set(SHOWN_FORMS_KEY, [...formsShown(context), { formId, owner }]);
}

/**
 * Shows a card: in place of the pressed one for an invoke, as a new message otherwise. Returns the id
 * of the message now showing it, when a new one was sent.
 */
async function showCard(
  context: TurnContext,
  submission: CardSubmission | undefined,
  card: Record<string, unknown>,
): Promise<string | undefined> {
  if (submission?.viaInvoke === true) {
    setInvokeAnswer(context, { type: 'card', card });
    return undefined;
  }
  const sent = await context.sendActivity({
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
  });
  return sent?.id;
}

/**
 * What the pressed card now shows, for a press that came as an invoke: a later step of the same turn
 * can replace what the form first answered (a submit that did not go through after all).
 */
export function answerInPlace(context: TurnContext, title: string): void {
  if (readCardSubmission(context.activity)?.viaInvoke === true)
    setInvokeAnswer(context, { type: 'card', card: renderCard('formDone', { title, facts: [], note: '' }) });
}

/** Says something short: as the invoke's answer for an invoke, as a message otherwise. */
export async function sayToSubmission(
  context: TurnContext,
  submission: CardSubmission | undefined,
  text: string,
): Promise<void> {
  // Teams shows an invoke's message answer as plain text: a command in backticks would show them.
  if (submission?.viaInvoke === true)
    setInvokeAnswer(context, { type: 'message', text: text.replace(/`([^`]+)`/g, '“$1”') });
  else await context.sendActivity(text);
}

/**
 * What the admin typed, put back into the card's own text fields: only fields the card shows as text,
 * only short strings — a forged input cannot replace lists or labels.
 */
function typedBack(shown: Record<string, unknown>, inputs: Record<string, unknown>): Record<string, string> {
  const fixed = new Set(['step', 'notice', 'formId']);
  return Object.fromEntries(
    Object.entries(inputs).filter(
      (entry): entry is [string, string] =>
        !fixed.has(entry[0]) &&
        typeof shown[entry[0]] === 'string' &&
        typeof entry[1] === 'string' &&
        entry[1].length <= 1024,
    ),
  );
}

export class FormPrompt extends Dialog {
  constructor(
    dialogId: string,
    private readonly validate: FormValidator,
  ) {
    super(dialogId);
  }

  override async beginDialog(
    dc: DialogContext,
    options?: FormPromptOptions<FormCardName>,
  ): Promise<DialogTurnResult> {
    if (options === undefined) throw new Error(`${this.id} needs a card to show`);
    const owner = actorOf(dc.context);
    const state: FormState = { card: options.card, data: { ...options.data }, formId: randomUUID(), owner };
    dc.activeDialog!.state.form = state;
    if (owner !== undefined) noteShown(dc.context, state.formId, owner);
    const sent = await dc.context.sendActivity({
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: this.render(state) }],
    });
    state.activityId = sent?.id;
    return Dialog.EndOfTurn;
  }

  /**
   * A form closed from outside (a typed `cancel`) is redrawn in place without its buttons, so it does
   * not look live. Best effort: where the message cannot be updated, its buttons still answer that the
   * form is no longer active.
   */
  override async endDialog(
    context: TurnContext,
    instance: DialogInstance,
    reason: DialogReason,
  ): Promise<void> {
    const state = instance.state?.form as FormState | undefined;
    if (reason !== DialogReason.cancelCalled || state?.activityId === undefined) return;
    try {
      await context.updateActivity({
        type: 'message',
        id: state.activityId,
        attachments: [
          {
            contentType: ADAPTIVE_CARD_CONTENT_TYPE,
            content: renderCard('formDone', { title: 'Cancelled', facts: [], note: 'Nothing was created.' }),
          },
        ],
      });
    } catch {
      // The card stays as it was; pressing it is answered "no longer active".
    }
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state.form as FormState;
    const submission = readCardSubmission(dc.context.activity);
    if (submission === undefined) {
      await dc.context.sendActivity(USE_THE_CARD_MESSAGE);
      return Dialog.EndOfTurn;
    }
    if (submission.formId !== state.formId) {
      await sayToSubmission(dc.context, submission, FORM_INACTIVE_MESSAGE);
      return Dialog.EndOfTurn;
    }
    const actor = actorOf(dc.context);
    if (
      state.owner !== undefined &&
      (actor === undefined || !sameUser(actor.aadObjectId, state.owner.aadObjectId))
    ) {
      await sayToSubmission(dc.context, submission, othersFormMessage(state.owner));
      return Dialog.EndOfTurn;
    }
    switch (submission.verb) {
      case FORM_VERBS.cancel:
        return this.close(dc, submission, { kind: 'cancel' }, 'Cancelled');
      case FORM_VERBS.back:
        return this.close(dc, submission, { kind: 'back' }, 'Went back');
      case FORM_VERBS.retry:
        return this.close(dc, submission, { kind: 'retry' }, 'Checking again…');
      case FORM_VERBS.edit: {
        const section = typeof submission.inputs.section === 'string' ? submission.inputs.section : '';
        return this.close(dc, submission, { kind: 'edit', section }, 'Editing');
      }
      case FORM_VERBS.next:
      case FORM_VERBS.submit: {
        let outcome: Awaited<ReturnType<FormValidator>>;
        try {
          outcome = await within(
            FORM_CHECK_WITHIN_MS,
            this.validate(dc.context, submission.inputs, state.data),
          );
        } catch (error) {
          if (!isAppError(error)) throw error;
          // Microsoft 365 did not answer the check: keep what was typed and let the admin press again.
          state.data = {
            ...state.data,
            ...typedBack(state.data, submission.inputs),
            notice: `I could not check this with Microsoft 365 just now (${error.userMessage}) Your entries are kept: press the button again in a moment.`,
          };
          state.activityId = (await showCard(dc.context, submission, this.render(state))) ?? state.activityId;
          return Dialog.EndOfTurn;
        }
        if (!outcome.ok) {
          state.data = { ...outcome.data, notice: '' };
          state.activityId = (await showCard(dc.context, submission, this.render(state))) ?? state.activityId;
          return Dialog.EndOfTurn;
        }
        // An invoke replaces the pressed card with what was accepted; a message leaves the card as it is.
        if (submission.viaInvoke) {
          setInvokeAnswer(dc.context, {
            type: 'card',
            card: renderCard('formDone', {
              ...outcome.done,
              // What was typed, shown as typed.
              facts: outcome.done.facts.map((f) => ({ title: f.title, value: literal(f.value) })),
              note: '',
            }),
          });
        }
        return dc.endDialog({
          kind: 'next',
          values: outcome.values,
          formId: state.formId,
        } satisfies FormResult);
      }
      default:
        await sayToSubmission(dc.context, submission, 'That button does not belong to this form.');
        return Dialog.EndOfTurn;
    }
  }

  private async close(
    dc: DialogContext,
    submission: CardSubmission,
    result: FormResult,
    title: string,
  ): Promise<DialogTurnResult> {
    if (submission.viaInvoke)
      setInvokeAnswer(dc.context, {
        type: 'card',
        card: renderCard('formDone', { title, facts: [], note: '' }),
      });
    return dc.endDialog(result);
  }

  private render(state: FormState): Record<string, unknown> {
    return renderCard(state.card, { ...state.data, formId: state.formId } as never);
  }
}
