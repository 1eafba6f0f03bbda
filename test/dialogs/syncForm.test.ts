/**
 * The Sync card: the licence list shows free seats, the summary left after Next names the licence
 * alone, and the usage location's errors speak of the country list the card shows.
 */
import type { TurnContext } from 'botbuilder';
import { newWizard, type TenantFacts } from '../../dialogs/requestDraft';
import { syncCard, syncValidator } from '../../dialogs/requestForms';

const TENANT: TenantFacts = {
  managedDomains: ['contoso.com'],
  acknowledgedWarnings: [],
  licences: [{ skuId: 'sku-e1', name: 'Exchange Online (Plan 1)', freeSeats: 3 }],
};

describe('the Sync card', () => {
  const context = {} as TurnContext;
  const shown = () => ({ ...syncCard(newWizard().draft, TENANT) }) as Record<string, unknown>;

  it('when a licence is picked, then the list shows its free seats and the summary names only the licence', async () => {
    expect((shown().licences as { title: string }[])[0].title).toBe('Exchange Online (Plan 1) — 3 free');
    const result = await syncValidator(
      context,
      { publicFolders: 'true', skuId: 'sku-e1', usageLocation: 'NO' },
      shown(),
    );
    expect(result.ok).toBe(true);
    const facts = result.ok ? result.done.facts : [];
    expect(facts).toContainEqual({ title: 'Licence', value: 'Exchange Online (Plan 1)' });
    expect(JSON.stringify(facts)).not.toContain('free');
  });

  it('when no country is picked, then the error asks for one from the list, not for a code', async () => {
    const result = await syncValidator(
      context,
      { publicFolders: 'true', skuId: 'sku-e1', usageLocation: '' },
      shown(),
    );
    const errors = result.ok ? {} : (result.data.errors as Record<string, string>);
    expect(errors.usageLocation).toBe('Pick the country where the account is used: a licence needs it.');
    expect(errors.usageLocation).not.toMatch(/ISO|two-letter/);
  });
});
