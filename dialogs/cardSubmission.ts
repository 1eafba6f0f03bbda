/**
 * A card button press, as Teams delivers it: `Action.Execute` arrives as an `adaptiveCard/action`
 * invoke (`value.action.verb`, `value.action.data`), `Action.Submit` as a message whose `value` holds
 * the data. Both become one shape. Card data is untrusted: ids and inputs only, checked by the caller.
 */
import type { Activity } from 'botbuilder';
import { ALL_VERBS } from '../cards/verbs';

export interface CardSubmission {
  verb: string;
  /** The form instance the card belonged to (absent on cards that are not forms). */
  formId?: string;
  /** Everything else the card sent: input values and action data, as strings where they were strings. */
  inputs: Record<string, unknown>;
  /** True when it came as an invoke, which must be answered with an invoke response. */
  viaInvoke: boolean;
}

const MAX_INPUTS = 50;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readCardSubmission(activity: Partial<Activity>): CardSubmission | undefined {
  let data: unknown;
  let verb: unknown;
  let viaInvoke = false;
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const action = isRecord(activity.value) ? activity.value.action : undefined;
    if (!isRecord(action)) return undefined;
    verb = action.verb;
    data = action.data;
    viaInvoke = true;
  } else if (activity.type === 'message' && isRecord(activity.value)) {
    data = activity.value;
    verb = activity.value.verb;
  } else {
    return undefined;
  }
  if (typeof verb !== 'string' || !ALL_VERBS.includes(verb)) return { verb: '', inputs: {}, viaInvoke };
  const record = isRecord(data) ? data : {};
  const entries = Object.entries(record).filter(([key]) => key !== 'verb' && key !== 'formId');
  const inputs = Object.fromEntries(entries.slice(0, MAX_INPUTS));
  const formId = typeof record.formId === 'string' && record.formId.length <= 64 ? record.formId : undefined;
  return { verb, formId, inputs, viaInvoke };
}

/** A text input's value: strings only, trimmed; anything else counts as empty. */
export function inputText(inputs: Record<string, unknown>, name: string): string {
  const value = inputs[name];
  return typeof value === 'string' ? value.trim() : '';
}
