/**
 * The one place a failed turn is logged. The log line carries correlation ids; the user gets a short
 * apology with a reference they can quote, never the error itself.
 */
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../logger';

export function createTurnErrorHandler(
  logger: Logger,
): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    const reference = randomUUID();
    const activity = context.activity;
    logger.error('Turn failed', {
      reference,
      activityId: activity?.id,
      activityType: activity?.type,
      conversationId: activity?.conversation?.id,
      channelId: activity?.channelId,
      error,
    });
    if (activity?.type === 'invoke') return; // the adapter answers the invoke with 500 itself
    try {
      await context.sendActivity(
        `Sorry — something went wrong on my side and I couldn’t finish that. Please try again. ` +
          `If it keeps happening, give your administrator this reference: ${reference}`,
      );
    } catch (sendError) {
      logger.error('Could not tell the user about a failed turn', { reference, error: sendError });
    }
  };
}
