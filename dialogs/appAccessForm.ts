/**
 * The app card of a request that grants CiraSync's own app (RBAC for Applications): the data it is
 * shown with, and the checks it passes before anything is submitted.
 */
import type { AppAccessCardData } from '../cards/renderCard';
import { accessScope, APPLICATION_ROLES, describeScope } from '../src/domain/appAccess';
import { isAppError } from '../src/domain/errors';
import type { Directory } from '../src/domain/ports';
import { inputText } from './cardSubmission';
import type { FormValidator } from './formPrompt';
import { type Draft, stepLabel, type TenantFacts, type WizardPath } from './requestDraft';
import { literal } from '../src/domain/words';

const NO_APP_ERRORS = { appId: '', appScopeValue: '', appRoles: '', alsoAccount: '' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function appAccessCard(
  draft: Draft,
  path: WizardPath,
  tenant: Pick<TenantFacts, 'accountBlockers'> | undefined,
): Omit<AppAccessCardData, 'formId'> {
  return {
    step: stepLabel('appAccess', path),
    notice: '',
    appId: draft.appId,
    appScope: draft.appScope,
    appScopeValue: draft.appScopeValue,
    appRoles: draft.appRoles,
    roles: Object.entries(APPLICATION_ROLES).map(([value, meaning]) => ({
      title: `${value} — ${meaning}`,
      value,
    })),
    alsoAccount: draft.alsoAccount === true ? 'true' : 'false',
    accountBlocked: (tenant?.accountBlockers ?? []).join(' '),
    errors: { ...NO_APP_ERRORS },
  };
}

/** What is wrong with a recipient filter a person typed, or '' when it reads as one. */
function filterProblem(filter: string): string {
  if (filter.length > 500) return 'Keep the filter under 500 characters.';
  if ((filter.match(/'/g) ?? []).length % 2 !== 0) return 'The filter has an unclosed quote.';
  if (!/-(eq|ne|like|notlike)\b/i.test(filter))
    return "Write the filter as Exchange does, e.g. Department -eq 'Sales'.";
  return '';
}

/**
 * The app card's checks, before approval: the id is an application (client) id, the tenant has an
 * enabled service principal for it (asked of Graph), the scope is given where it needs a value, and
 * every role is one of Exchange's application roles.
 */
export function appAccessValidator(directory: Directory): FormValidator {
  return async (_context, inputs, shown) => {
    const appId = inputText(inputs, 'appId').toLowerCase();
    const appScope =
      (['organization', 'group', 'filter'] as const).find((s) => s === inputText(inputs, 'appScope')) ??
      'organization';
    const appScopeValue = appScope === 'organization' ? '' : inputText(inputs, 'appScopeValue');
    const roles = inputText(inputs, 'appRoles')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    const alsoAccount = inputText(inputs, 'alsoAccount') === 'true';
    const errors = { ...NO_APP_ERRORS };
    // The toggle is not on the card where an account cannot be made: a press that still sends it is refused.
    if (alsoAccount && typeof shown.accountBlocked === 'string' && shown.accountBlocked !== '')
      errors.alsoAccount = `A service account cannot be made in this tenant yet: ${shown.accountBlocked}`;
    let notice = '';
    let principal: { id: string; displayName: string } | undefined;
    if (!GUID.test(appId))
      errors.appId =
        'That is not an application (client) id: it looks like 00000000-0000-0000-0000-000000000000.';
    else {
      try {
        const found = await directory.findServicePrincipal(appId);
        if (found === undefined)
          errors.appId = `No enterprise application in this tenant has the application id ${appId}. Add CiraSync's app to the tenant first (its admin consent link), then try again.`;
        else if (!found.accountEnabled)
          errors.appId = `${literal(found.displayName)} is disabled in Microsoft Entra ID. Enable it under Enterprise applications, then try again.`;
        else principal = { id: found.id, displayName: found.displayName };
      } catch (error) {
        if (!isAppError(error)) throw error;
        notice = `I could not look the app up in Microsoft Entra ID just now: ${error.userMessage}`;
      }
    }
    if (appScope === 'group' && appScopeValue === '') errors.appScopeValue = 'Name the mail-enabled group.';
    if (appScope === 'group' && appScopeValue.length > 256)
      errors.appScopeValue = 'Keep the group name under 256 characters.';
    if (appScope === 'filter')
      errors.appScopeValue = appScopeValue === '' ? 'Write the filter.' : filterProblem(appScopeValue);
    const unknown = roles.filter((role) => APPLICATION_ROLES[role] === undefined);
    if (roles.length === 0) errors.appRoles = 'Pick at least one role.';
    else if (unknown.length > 0)
      errors.appRoles = `These are not Exchange application roles: ${unknown.map(literal).join(', ')}.`;
    if (notice !== '' || Object.values(errors).some((e) => e !== '') || principal === undefined) {
      return {
        ok: false,
        data: {
          ...shown,
          notice,
          appId,
          appScope,
          appScopeValue,
          appRoles: roles.join(','),
          alsoAccount: alsoAccount ? 'true' : 'false',
          errors,
        },
      };
    }
    const scope = describeScope(accessScope(appScope, appScopeValue));
    return {
      ok: true,
      values: {
        appId,
        appScope,
        appScopeValue,
        appRoles: roles.join(','),
        appPrincipalId: principal.id,
        appPrincipalName: principal.displayName,
        alsoAccount: alsoAccount ? 'true' : 'false',
      },
      done: {
        title: '✓ App access',
        facts: [
          { title: 'App', value: `${principal.displayName} (${appId})` },
          { title: 'Roles', value: roles.join(', ') },
          { title: 'Over', value: scope },
          {
            title: 'Service account',
            value: alsoAccount ? 'Also created, for public folders' : 'None',
          },
        ],
      },
    };
  };
}
