/** The answers to a card press (`adaptiveCard/action` invoke). */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../cards/renderCard';

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
