/**
 * Long input on the cards: the text boxes do not cut what is typed at a hidden limit (the bot checks
 * the length and says so on the card), and a long value without spaces can wrap on the Review card
 * instead of pushing the labels out of sight.
 */
import { renderCard, wrappable } from '../../cards/renderCard';
import { CARD_SAMPLES } from '../../cards/samples';
import { newWizard } from '../../dialogs/requestDraft';
import { reviewData } from '../../dialogs/wizardCards';
import { validateAccount, validateContact } from '../../src/domain/requestValidation';

const LONG_TITLE = 'X'.repeat(128);

describe('long values on the cards', () => {
  it('when the account and contact cards are drawn, then no text box cuts its input silently', () => {
    const drawn = {
      account: CARD_SAMPLES.account.map((d) => renderCard('account', d)),
      contact: CARD_SAMPLES.contact.map((d) => renderCard('contact', d)),
      approver: CARD_SAMPLES.approver.map((d) => renderCard('approver', d)),
      appAccess: CARD_SAMPLES.appAccess.map((d) => renderCard('appAccess', d)),
    };
    for (const [name, cards] of Object.entries(drawn)) {
      expect(cards.length).toBeGreaterThan(0);
      const template = JSON.stringify(cards);
      expect({ name, cuts: template.includes('"maxLength"') }).toEqual({ name, cuts: false });
    }
  });

  it('when a value is longer than its field allows, then the card says so with the numbers', () => {
    expect(validateContact({ jobTitle: 'J'.repeat(140) }).errors.jobTitle).toBe(
      'The job title can be at most 128 characters; this one has 140.',
    );
    expect(
      validateAccount({ displayName: 'D'.repeat(300), username: 'cirasync-svc', domain: 'contoso.com' })
        .errors.displayName,
    ).toMatch(/at most 256 characters; this one has 300/);
  });

  it('when the Review card shows a 128-character job title without spaces, then it can wrap and reads the same', () => {
    const wizard = newWizard();
    wizard.draft.contact.jobTitle = LONG_TITLE;
    const review = reviewData(wizard);
    const shown = review.contact.find((f) => f.title === 'Job title')?.value ?? '';
    expect(shown.replace(/\u200B/g, '')).toBe(LONG_TITLE);
    expect(shown.split('\u200B').every((part) => part.length <= 24)).toBe(true);
  });

  it('when a value has spaces or is short, then it is shown exactly as typed', () => {
    expect(wrappable('Service account')).toBe('Service account');
    expect(wrappable("Department -eq 'Sales'")).toBe("Department -eq 'Sales'");
    expect(wrappable('a'.repeat(24))).toBe('a'.repeat(24));
    // An application id stays copyable: it wraps at its hyphens.
    expect(wrappable('(a3c5e7f9-1b2d-4e6f-8a0b-2c4d6e8f0a1b)')).toBe(
      '(a3c5e7f9-1b2d-4e6f-8a0b-2c4d6e8f0a1b)',
    );
    expect(wrappable(`${'a'.repeat(30)} b`)).toBe(`${'a'.repeat(24)}\u200B${'a'.repeat(6)} b`);
  });
});
