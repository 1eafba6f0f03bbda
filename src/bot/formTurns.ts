/**
 * Typed commands and request-form presses. A form runs only in the personal chat of the admin who
 * started it, where nobody else can see or press it: its state is kept per user, every press is
 * checked against its owner (from the activity, never the card), and a command typed in a group chat
 * or channel is answered "let's do this in our personal chat" and carried out there.
 */
import type { BotState, StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { type CardSubmission, readCardSubmission } from '../../dialogs/cardSubmission';
import { type CommandReplyDeps, sendHelp } from '../../dialogs/commandReplies';
import { formsShown, othersFormMessage, sayToSubmission } from '../../dialogs/formPrompt';
import type { MainDialog } from '../../dialogs/mainDialog';
import type { FormOwnerStore } from '../teams/formOwners';
import { conversationKind } from '../teams/conversationPlace';
import type { PersonalChats } from '../teams/personalChats';
import { whereToFindTheApp } from '../teams/teamsMessages';
import { sameUser } from '../domain/authorization';
import { type DirectoryNames, uncheckedActor } from '../domain/directoryNames';
import { CONVERSATION_NAMES } from '../domain/pressRules';
import { claimedActor, resolveTurnActor } from './actor';
import { COMMANDS, parseCommand } from './commands';
import type { RefusalAudit } from './refusalAudit';

export const SHARED_FORM_MESSAGE =
  'Requests are filled in privately, in our personal chat, so that nobody else can press through them. Type `new service account` there to start one.';

export interface FormTurnsDeps {
  mainDialog: MainDialog;
  /** Dialog state per user and conversation (`PrivateConversationState`), never per conversation. */
  formState: BotState;
  forms: FormOwnerStore;
  /** The sender's name from the directory, once per turn, for everything the turn records or shows. */
  names: DirectoryNames;
  personalChats: PersonalChats;
  refusals: RefusalAudit;
  /** For `help` in a shared conversation. */
  replies: CommandReplyDeps;
  tenantId: string;
  now: () => Date;
  teamsAppId?: string;
}

export class FormTurns {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(private readonly deps: FormTurnsDeps) {
    this.dialogState = deps.formState.createProperty<DialogState>('dialogState');
  }

  /** One turn of typed text or a form press. */
  async run(context: TurnContext): Promise<void> {
    const submission = readCardSubmission(context.activity);
    if (conversationKind(context.activity) === 'personal') return this.personalTurn(context, submission);
    if (submission !== undefined) return this.refuseSharedPress(context, submission);
    return this.moveToPersonalChat(context);
  }

  private async personalTurn(context: TurnContext, submission: CardSubmission | undefined): Promise<void> {
    if (submission !== undefined && (await this.refusedAsOthersForm(context, submission))) return;
    if (typeof context.activity.from?.id !== 'string' || context.activity.from.id === '') {
      await sayToSubmission(context, submission, 'I could not tell who you are, so I cannot go on.');
      return;
    }
    await resolveTurnActor(context, this.deps.names);
    await this.deps.mainDialog.run(context, this.dialogState);
    const now = this.deps.now();
    for (const shown of formsShown(context))
      await this.deps.forms.remember(this.deps.tenantId, shown.formId, shown.owner, now);
    await this.deps.formState.saveChanges(context, false);
  }

  /** A form press in a group chat or channel: no form runs there. */
  private async refuseSharedPress(context: TurnContext, submission: CardSubmission): Promise<void> {
    if (!(await this.refusedAsOthersForm(context, submission)))
      await sayToSubmission(context, submission, SHARED_FORM_MESSAGE);
  }

  /**
   * True when the press is on a form that belongs to someone else: answered "this form belongs to …"
   * and audited (actor, owner, place, time).
   */
  private async refusedAsOthersForm(context: TurnContext, submission: CardSubmission): Promise<boolean> {
    if (submission.formId === undefined) return false;
    const owner = await this.deps.forms.ownerOf(this.deps.tenantId, submission.formId);
    const claimed = claimedActor(context.activity);
    if (owner === undefined || sameUser(owner.aadObjectId, claimed?.aadObjectId ?? '')) return false;
    await sayToSubmission(context, submission, othersFormMessage(owner));
    const presser =
      (await resolveTurnActor(context, this.deps.names)) ??
      uncheckedActor({ aadObjectId: '(unknown)', name: context.activity.from?.name ?? '' });
    await this.deps.refusals.record(`form|${presser.aadObjectId}|${submission.formId ?? ''}`, {
      requestId: submission.formId ?? '',
      tenantId: this.deps.tenantId,
      event: 'press refused',
      actor: presser,
      outcome: 'refused',
      detail: `request form of ${owner.name} (${owner.aadObjectId}), pressed in ${CONVERSATION_NAMES[conversationKind(context.activity)]}`,
    });
    return true;
  }

  /**
   * A command typed in a group chat or channel: `help` is answered there (without the admin-only
   * readiness line); anything else is carried out in the sender's personal chat, as if typed there.
   */
  private async moveToPersonalChat(context: TurnContext): Promise<void> {
    const command = COMMANDS.find((c) => c.name === parseCommand(context.activity.text));
    if (command === undefined || command.name === 'help') {
      const { readinessFor: _adminsOnly, ...replies } = this.deps.replies;
      await sendHelp(
        context,
        replies,
        command === undefined ? 'Sorry, I didn’t recognise that command.' : '',
        'I work with each admin in our personal chat, where nobody else sees the forms or answers. Type one of these there:',
      );
      return;
    }
    let formStarted = false;
    const ran = await this.deps.personalChats.runFor(context.activity, async (personal) => {
      personal.activity.type = 'message';
      personal.activity.text = command.text;
      await this.personalTurn(personal, undefined);
      formStarted = formsShown(personal).length > 0;
    });
    const done = formStarted ? 'started your request' : 'answered you';
    await context.sendActivity(
      ran
        ? `Let’s do this in our personal chat, where only you can see it: I have ${done} there.`
        : `Let’s do this in our personal chat, where only you can see it. Open Service Account Bot ${whereToFindTheApp(this.deps.teamsAppId)} and type \`${command.text}\` there.`,
    );
  }
}
