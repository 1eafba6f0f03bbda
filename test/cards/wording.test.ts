/**
 * Words on the cards as admins read them: one spelling of "email", counts without "(s)", and no
 * backticks (a card's text shows them as they are).
 */
import { CARD_TEMPLATES, renderCard } from '../../cards/renderCard';
import { CARD_SAMPLES } from '../../cards/samples';
import { resolveApprover } from '../../src/useCases/checkRequestForm';
import { MemoryDirectory } from '../support/memoryServices';

describe('the words on the cards', () => {
  const drawn = Object.entries(CARD_SAMPLES).flatMap(([name, samples]) =>
    (samples as object[]).map((data) => ({
      name,
      text: JSON.stringify(renderCard(name as keyof typeof CARD_TEMPLATES, data as never)),
    })),
  );

  it.each(drawn.map((d, i) => [`${d.name} #${i}`, d.text] as const))(
    'when the %s card is drawn, then it writes email, counts plainly and shows no backticks',
    (_name, text) => {
      expect(text).not.toMatch(/e-mail/i);
      expect(text).not.toMatch(/\w\(s\)/);
      expect(text).not.toContain('`');
    },
  );

  it('when the approver is missing or cannot be looked up, then the message writes email as the card does', async () => {
    const checks = { isAdmin: async () => true, isMember: async () => true };
    const none = await resolveApprover(new MemoryDirectory(), checks, { aadObjectId: 'a', name: 'Alex' }, {});
    expect(none).toEqual({ error: 'Pick the approver, or type their email address or user name.' });
  });
});
