/** Passwords for the service account: crypto-random, 24 characters, all four character classes. */
import { randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
/**
 * Symbols Entra accepts in passwords, without quotes, characters that trip up shells, or characters
 * Teams reads as formatting on a card (`*` `_` `~` for emphasis, `#` `+` `-` at a line's start): a
 * revealed password must show exactly as it is, or the admin copies a different one.
 */
const SYMBOLS = '!$%=?@^';
const ALL = UPPER + LOWER + DIGITS + SYMBOLS;

export const PASSWORD_LENGTH = 24;

export function generatePassword(length = PASSWORD_LENGTH): string {
  if (length < 20) throw new Error('Service account passwords are at least 20 characters long');
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(ALL[randomInt(ALL.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
