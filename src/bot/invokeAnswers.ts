/**
 * The answers to a card press (`adaptiveCard/action` invoke) and the checks every request button
 * starts with: which request (from the card) and who pressed (from the activity, never the card).
 */
import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../cards/renderCard';
import { inputText } from '../../dialogs/cardSubmission';
import type { Actor, ServiceAccountRequest } from '../domain/request';
import type { RequestStore } from '../domain/requestPorts';
import { actorOf } from './actor';

/** A short text shown where the card was (Teams shows it as a toast-like message). */
export function invokeMessage(text: string): AdaptiveCardInvokeResponse {
  return {
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: text as unknown as Record<string, unknown>,
  };
}

export function invokeError(
  statusCode: 400 | 403 | 404,
  code: string,
  message: string,
): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}

/** The card that replaces the pressed one, for the user who pressed it. */
export function invokeCard(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

/**
 * The request a button names and the user who pressed it, or the refusal to answer with: no or an
 * oversized request id (400), no Entra identity on the activity (403), no such request (404).
 */
export async function pressedRequest(
  context: TurnContext,
  data: Record<string, unknown>,
  requests: RequestStore,
  tenantId: string,
): Promise<{ actor: Actor; request: ServiceAccountRequest } | { refusal: AdaptiveCardInvokeResponse }> {
  const requestId = inputText(data, 'requestId');
  if (requestId === '' || requestId.length > 64)
    return { refusal: invokeError(400, 'BadRequest', 'The card did not say which request.') };
  const actor = actorOf(context.activity);
  if (actor === undefined) return { refusal: invokeError(403, 'Forbidden', 'I could not tell who you are.') };
  const request = await requests.get(tenantId, requestId);
  if (request === undefined) return { refusal: invokeError(404, 'NotFound', 'I cannot find that request.') };
  return { actor, request };
}
