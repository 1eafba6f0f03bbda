/**
 * Card templates are JSON files in this folder, bound only here through `adaptivecards-templating`.
 * Each card has a typed data shape; `renderCard` returns the expanded Adaptive Card.
 */
import { Template } from 'adaptivecards-templating';
import helpTemplate from './help.json';

export interface HelpCardData {
  title: string;
  /** Shown above the intro in the attention colour; empty for none. */
  notice: string;
  intro: string;
  commands: { name: string; description: string }[];
  footer: string;
}

export interface CardData {
  help: HelpCardData;
}

export type CardName = keyof CardData;

/** An expanded Adaptive Card, as sent in an attachment's `content`. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export const CARD_TEMPLATES: Readonly<Record<CardName, object>> = {
  help: helpTemplate,
};

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export function renderCard<K extends CardName>(name: K, data: CardData[K]): AdaptiveCardJson {
  const expanded: unknown = new Template(CARD_TEMPLATES[name]).expand({ $root: data });
  if (
    typeof expanded !== 'object' ||
    expanded === null ||
    (expanded as { type?: unknown }).type !== 'AdaptiveCard'
  ) {
    throw new Error(`Card template "${name}" did not expand to an Adaptive Card`);
  }
  return expanded as AdaptiveCardJson;
}

/** The card as a message attachment. */
export function cardAttachment<K extends CardName>(
  name: K,
  data: CardData[K],
): { contentType: string; content: AdaptiveCardJson } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderCard(name, data) };
}
