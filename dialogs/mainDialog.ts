/**
 * Routes what the admin types to the commands, and lets `cancel`, `help` and `status` interrupt the
 * request dialog. Card presses go to the open form; a press on a form that is no longer open is
 * answered, never processed.
 */
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogContext,
  DialogSet,
  type DialogState,
  type DialogTurnResult,
  DialogTurnStatus,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { actorOf } from '../src/bot/actor';
import { type CommandName, parseCommand } from '../src/bot/commands';
import {
  ADMIN_ROLE_NAMES,
  authorizeAuditReader,
  authorizeRequester,
  directAccessChecks,
} from '../src/domain/authorization';
import { readCardSubmission } from './cardSubmission';
import {
  cancelPending,
  type CommandReplyDeps,
  sendAudit,
  sendHealth,
  sendHelp,
  sendStatus,
} from './commandReplies';
import { FORM_INACTIVE_MESSAGE, sayToSubmission } from './formPrompt';
import {
  NEW_SERVICE_ACCOUNT_DIALOG,
  NewServiceAccountDialog,
  type NewServiceAccountDialogDeps,
} from './newServiceAccountDialog';

export const MAIN_DIALOG = 'mainDialog';
const ROUTE_WATERFALL = 'mainRoute';

export type MainDialogDeps = NewServiceAccountDialogDeps & CommandReplyDeps;

export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: MainDialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new NewServiceAccountDialog(deps));
    this.addDialog(
      new WaterfallDialog(ROUTE_WATERFALL, [this.routeStep.bind(this), this.finishStep.bind(this)]),
    );
    this.initialDialogId = ROUTE_WATERFALL;
  }

  /** Runs one turn of the conversation's dialogs. */
  async run(context: TurnContext, state: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(state);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status !== DialogTurnStatus.empty) return;
    const submission = readCardSubmission(context.activity);
    if (submission !== undefined) {
      await sayToSubmission(context, submission, FORM_INACTIVE_MESSAGE);
      return;
    }
    await dc.beginDialog(this.id);
  }

  protected override async onContinueDialog(inner: DialogContext): Promise<DialogTurnResult> {
    const activity = inner.context.activity;
    const command =
      activity.type === 'message' && activity.value === undefined ? parseCommand(activity.text) : undefined;
    switch (command) {
      case 'cancel':
        await inner.cancelAllDialogs();
        await inner.context.sendActivity('Cancelled. Nothing was created.');
        return { status: DialogTurnStatus.cancelled };
      case 'help':
        await sendHelp(
          inner.context,
          this.deps,
          '',
          'You are filling in a request: its card is above. Meanwhile, these are my commands.',
        );
        return { status: DialogTurnStatus.waiting };
      case 'status':
        await sendStatus(inner.context, this.deps);
        return { status: DialogTurnStatus.waiting };
      case 'audit':
        await this.replyWithAudit(inner.context);
        return { status: DialogTurnStatus.waiting };
      case 'health':
        await this.replyWithHealth(inner.context);
        return { status: DialogTurnStatus.waiting };
      case 'newServiceAccount':
        await inner.context.sendActivity(
          'You are already filling in a request: finish the card above, or type `cancel` to start over.',
        );
        return { status: DialogTurnStatus.waiting };
      default:
        return super.onContinueDialog(inner);
    }
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = typeof step.context.activity.text === 'string' ? step.context.activity.text : '';
    const command: CommandName | undefined = parseCommand(text);
    switch (command) {
      case 'newServiceAccount': {
        const access = await authorizeRequester(this.access(), actorOf(step.context), {
          requesterGroupId: this.deps.requesterGroupId,
        });
        if (!access.allowed) {
          await step.context.sendActivity(access.message);
          return step.endDialog();
        }
        return step.beginDialog(NEW_SERVICE_ACCOUNT_DIALOG);
      }
      case 'status':
        await sendStatus(step.context, this.deps);
        return step.endDialog();
      case 'audit':
        await this.replyWithAudit(step.context);
        return step.endDialog();
      case 'health':
        await this.replyWithHealth(step.context);
        return step.endDialog();
      case 'cancel':
        await cancelPending(step.context, this.deps);
        return step.endDialog();
      case 'help':
        await sendHelp(step.context, this.deps, '', 'Here is what I can do.');
        return step.endDialog();
      default: {
        const notice =
          text.trim() !== '' ? 'Sorry, I didn’t recognise that command.' : 'I can only read typed commands.';
        await sendHelp(step.context, this.deps, notice, 'Type one of these commands:');
        return step.endDialog();
      }
    }
  }

  /** `audit`: the trail for admins, a refusal naming the roles for anyone else. */
  private async replyWithAudit(context: TurnContext): Promise<void> {
    const access = await authorizeAuditReader(this.access(), actorOf(context));
    if (access.allowed) await sendAudit(context, this.deps);
    else await context.sendActivity(access.message);
  }

  /** `health`: every account's health for admins, a refusal naming the roles for anyone else. */
  private async replyWithHealth(context: TurnContext): Promise<void> {
    const actor = actorOf(context);
    const admin =
      actor !== undefined && actor.aadObjectId !== '' && (await this.access().isAdmin(actor.aadObjectId));
    if (admin) await sendHealth(context, this.deps);
    else await context.sendActivity(`Only a ${ADMIN_ROLE_NAMES} can see the health of the service accounts.`);
  }

  private access() {
    return this.deps.access ?? directAccessChecks(this.deps.directory);
  }

  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }
}
