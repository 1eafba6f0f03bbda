/** Counts as admins read them: "1 request", "7 events", never "request(s)". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Bidirectional controls (embeddings, overrides, isolates, marks): they reorder what a card shows. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/gu;

/**
 * Text someone typed or the directory holds (a name, a comment, a contact field), made to show exactly
 * as typed: Adaptive Card TextBlock and FactSet text and the text of a Teams message render markdown,
 * so its markup characters are escaped with a backslash (CommonMark escapes, which the Adaptive Cards
 * renderers and Teams follow): emphasis, links, code, and the list, heading and quote markers at the
 * start of a line. Bidirectional controls are dropped. A sentence the bot builds applies it to each
 * such part it names, never to its own markdown around them. Only for text that is shown: an Input's
 * `value` keeps what was typed, and audit records keep it raw (the audit card escapes what it shows).
 */
export function literal(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/[\\`*_~[\]<>]/gu, '\\$&')
    .replace(/^(\s*)(\d+)([.)])/gmu, '$1$2\\$3')
    .replace(/^(\s*)([-+#])/gmu, '$1\\$2');
}
