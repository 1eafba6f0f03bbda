/**
 * The Teams activity handler: routes typed commands, greets a new install with the command list, and
 * answers card actions. Business rules live in the use cases; this class only translates.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationState,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import { cardAttachment } from '../../cards/renderCard';
import type { Logger } from '../logger';
import { COMMANDS, type CommandName, parseCommand } from './commands';

export interface ServiceAccountBotOptions {
  logger: Logger;
  conversationState: ConversationState;
  /** Shown in the help card's footer, e.g. "simulated tenant (classic) · version 0.1.0". */
  environmentSummary: string;
}

const COMMAND_TEXT: Record<CommandName, string> = Object.fromEntries(
  COMMANDS.map((c) => [c.name, c.text]),
) as Record<CommandName, string>;

export class ServiceAccountBot extends TeamsActivityHandler {
  constructor(private readonly options: ServiceAccountBotOptions) {
    super();

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
      if (botWasAdded) {
        await this.sendHelp(
          context,
          '',
          'Hello! I set up the dedicated service account that CiraSync Enterprise needs in your Microsoft 365 tenant, with a second admin’s approval, and I tell you when it is ready.',
        );
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.options.conversationState.saveChanges(context, false);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const text = typeof context.activity.text === 'string' ? context.activity.text : undefined;
    const command = parseCommand(text);
    switch (command) {
      case 'help':
        await this.sendHelp(context, '', 'Here is what I can do.');
        return;
      case 'newServiceAccount':
      case 'status':
      case 'cancel':
        await context.sendActivity(
          `The \`${COMMAND_TEXT[command]}\` command is not available yet in this version of the bot. ` +
            'Type `help` to see the commands.',
        );
        return;
      case undefined: {
        const notice =
          text === undefined || text.trim() === ''
            ? 'I can only read typed commands.'
            : 'Sorry, I didn’t recognise that command.';
        await this.sendHelp(context, notice, 'Type one of these commands:');
        return;
      }
    }
  }

  private async sendHelp(context: TurnContext, notice: string, intro: string): Promise<void> {
    const card = cardAttachment('help', {
      title: 'Service Account Bot',
      notice,
      intro,
      commands: COMMANDS.map((c) => ({ name: c.text, description: c.description })),
      footer: this.options.environmentSummary,
    });
    await context.sendActivity({ attachments: [card] });
  }

  /** Universal Actions (`Action.Execute`). No card verbs are live yet: every verb is refused cleanly. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const verb = typeof invokeValue?.action?.verb === 'string' ? invokeValue.action.verb.slice(0, 64) : '';
    this.options.logger.warn('Card action with an unknown verb', {
      verb,
      conversationId: context.activity.conversation?.id,
    });
    return {
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: 'This action is not available.' },
    };
  }
}
