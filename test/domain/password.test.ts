/**
 * The service account's password: long, all four character classes, and nothing a Teams card would
 * read as formatting, so the revealed password is exactly the one Entra holds.
 */
import { generatePassword, PASSWORD_LENGTH } from '../../src/domain/password';

/** Characters Teams' card markdown acts on (emphasis, strike, code, links, headings, lists, quotes). */
const FORMATTING = /[*_~`[\]()#+\->|\\<&]/;

describe('generatePassword', () => {
  it('when 2,000 passwords are made, then each is 24 characters of all four classes, none holds a formatting character, and none repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(PASSWORD_LENGTH);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
      expect(password).not.toMatch(FORMATTING);
      seen.add(password);
    }
    expect(seen.size).toBe(2_000);
  });

  it('when a short password is asked for, then it is refused', () => {
    expect(() => generatePassword(19)).toThrow(/at least 20/);
  });
});
