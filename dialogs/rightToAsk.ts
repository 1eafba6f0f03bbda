/**
 * The right to ask, checked again at submit and asked of Graph afresh (not from the cache): the
 * form's owner may have lost the admin role, or left the requester group, since they started it.
 */
import type { TurnContext } from 'botbuilder';
import { type Authorization, authorizeRequester, directAccessChecks } from '../src/domain/authorization';
import { isAppError } from '../src/domain/errors';
import { within } from '../src/domain/patience';
import type { Directory } from '../src/domain/ports';
import type { Actor } from '../src/domain/request';
import { FORM_CHECK_WITHIN_MS } from './formPrompt';

export async function rightToAsk(
  context: TurnContext,
  deps: { directory: Directory; requesterGroupId?: string },
  requester: Actor,
): Promise<Authorization | 'unknown'> {
  try {
    return await within(
      FORM_CHECK_WITHIN_MS,
      authorizeRequester(directAccessChecks(deps.directory), requester, {
        requesterGroupId: deps.requesterGroupId,
      }),
    );
  } catch (error) {
    if (!isAppError(error)) throw error;
    await context.sendActivity(
      `I could not check your admin role with Microsoft 365 just now (${error.userMessage}) Nothing was sent: press Submit on the card below again in a moment.`,
    );
    return 'unknown';
  }
}
