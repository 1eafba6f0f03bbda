/**
 * The app card's "Also create a service account" choice where the tenant cannot take an account
 * (e.g. security defaults would force MFA on it): the card does not offer the toggle, says why, and
 * a press that still sends it (a forged or stale card) is refused before anything is submitted.
 */
import type { TurnContext } from 'botbuilder';
import { renderCard } from '../../cards/renderCard';
import { appAccessCard, appAccessValidator } from '../../dialogs/appAccessForm';
import { newWizard } from '../../dialogs/requestDraft';
import { type CardJson, cardText } from '../support/dialogDriver';
import { MemoryDirectory } from '../support/memoryServices';

const APP = {
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  appId: '11111111-2222-4333-8444-555555555555',
  displayName: 'CiraSync',
  accountEnabled: true,
};
const BLOCKER = 'Security defaults are on, so Microsoft 365 would ask the account for MFA.';
const PRESS = {
  appId: APP.appId,
  appScope: 'organization',
  appRoles: 'Application Contacts.ReadWrite',
  alsoAccount: 'true',
};

function directory(): MemoryDirectory {
  const found = new MemoryDirectory();
  found.servicePrincipals.push({ ...APP });
  return found;
}

describe('the app card’s choice to also create a service account', () => {
  const context = {} as TurnContext;

  it('when the tenant cannot take an account, then the card hides the toggle and says why', () => {
    const data = appAccessCard(newWizard().draft, 'app', { accountBlockers: [BLOCKER] });
    const card = renderCard('appAccess', { ...data, formId: 'f-1' }) as unknown as CardJson;
    expect(JSON.stringify(card)).not.toContain('"id":"alsoAccount"');
    expect(cardText(card)).toContain(
      `A service account for public folders cannot be made in this tenant yet: ${BLOCKER}`,
    );
  });

  it('when the tenant can take an account, then the toggle is offered', () => {
    const data = appAccessCard(newWizard().draft, 'app', { accountBlockers: [] });
    const card = renderCard('appAccess', { ...data, formId: 'f-1' }) as unknown as CardJson;
    expect(JSON.stringify(card)).toContain('"id":"alsoAccount"');
    expect(cardText(card)).not.toContain('cannot be made in this tenant yet');
  });

  it('when a press asks for an account the card did not offer, then it is refused and names the reason', async () => {
    const shown = appAccessCard(newWizard().draft, 'app', { accountBlockers: [BLOCKER] });
    const result = await appAccessValidator(directory())(context, PRESS, { ...shown });
    expect(result.ok).toBe(false);
    const errors = result.ok ? {} : (result.data.errors as Record<string, string>);
    expect(errors.alsoAccount).toBe(`A service account cannot be made in this tenant yet: ${BLOCKER}`);
  });

  it('when the card offered the toggle, then the same press goes through with the account chosen', async () => {
    const shown = appAccessCard(newWizard().draft, 'app', { accountBlockers: [] });
    const result = await appAccessValidator(directory())(context, PRESS, { ...shown });
    expect(result).toMatchObject({ ok: true, values: { alsoAccount: 'true', appPrincipalId: APP.id } });
  });
});
