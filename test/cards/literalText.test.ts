/**
 * What someone typed shows on the cards exactly as typed: a display name holding a markdown link, or a
 * comment with emphasis and a right-to-left override, reaches the card escaped, with no live link and
 * no character that reorders the text. The form's text boxes keep the raw value.
 */
import { healthCard } from '../../cards/healthCard';
import { literal, renderCard } from '../../cards/renderCard';
import { newWizard } from '../../dialogs/requestDraft';
import { contactCard } from '../../dialogs/requestForms';
import { reviewData } from '../../dialogs/wizardCards';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';

const LINK = '[click](https://evil.example)';
const COMMENT = '\u202E**bold** _x_ [a](https://b)';
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

describe('typed text on the cards', () => {
  it('when text holds markdown or bidirectional controls, then it is escaped and the controls dropped', () => {
    expect(literal(COMMENT)).toBe('\\*\\*bold\\*\\* \\_x\\_ \\[a\\](https://b)');
    expect(literal(LINK)).toBe('\\[click\\](https://evil.example)');
    expect(literal('- one\n1. two\n# three\n+ four')).toBe('\\- one\n1\\. two\n\\# three\n\\+ four');
    expect(literal('a \\ b `c` ~d~ <https://e>')).toBe('a \\\\ b \\`c\\` \\~d\\~ \\<https://e\\>');
    expect(literal('\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069h\u200Ei\u200Fj\u061Ck')).toBe(
      'abcdefghijk',
    );
    // Plain text, hyphens inside a name and dotted numbers stay as they are.
    expect(literal('Service Account - Sales 2.0')).toBe('Service Account - Sales 2.0');
  });

  it('when the Review card shows a display name with a markdown link, then the link is not live, and the contact card’s text box keeps the raw value', () => {
    const wizard = newWizard();
    wizard.draft.displayName = LINK;
    wizard.draft.contact.jobTitle = COMMENT;
    const review = renderCard('review', { ...reviewData(wizard), formId: 'f' });
    const shown = JSON.stringify(review).replace(/\u200B/gu, '');
    expect(shown).not.toContain(LINK);
    expect(shown).toContain(JSON.stringify(literal(LINK)).slice(1, -1));
    expect(shown).not.toMatch(BIDI);
    expect(validateAdaptiveCard(review)).toEqual([]);

    const contact = JSON.stringify(renderCard('contact', { ...contactCard(wizard.draft), formId: 'f' }));
    expect(contact).toContain(`"value":${JSON.stringify(COMMENT)}`);
  });

  it('when the health card names who asked for a fix, then the name shows as typed', () => {
    const card = healthCard({
      requestId: 'r',
      subject: LINK,
      headline: 'Something changed.',
      checkedAt: '',
      problems: [
        {
          code: 'notGlobalAdmin' as never,
          title: 'A problem',
          why: 'Why it matters.',
          fix: { title: 'Fix', needsApproval: true },
          approve: { askedBy: COMMENT },
        } as never,
      ],
    } as never);
    const shown = JSON.stringify(card);
    expect(shown).not.toContain(LINK);
    expect(shown).not.toContain('[a](https://b)');
    expect(shown).not.toMatch(BIDI);
  });
});
