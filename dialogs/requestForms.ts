/**
 * The request dialog's cards: the data each card is shown with, and the validator that turns what
 * the admin typed into draft values — or the same card again, values kept, errors next to the fields.
 */
import { CONTACT_FIELDS, CONTACT_TITLES } from '../src/domain/tenant';
import type { TurnContext } from 'botbuilder';
import type {
  AccountCardData,
  ApproverCardData,
  ContactCardData,
  Fact,
  SyncCardData,
} from '../cards/renderCard';
import { actorOf } from '../src/bot/actor';
import type { Directory } from '../src/domain/ports';
import type { AccessChecks } from '../src/domain/authorization';
import { checkUsername, resolveApprover } from '../src/useCases/checkRequestForm';
import {
  suggestUsernames,
  USAGE_LOCATIONS,
  validateAccount,
  validateContact,
  validateUsageLocation,
} from '../src/domain/requestValidation';
import { inputText } from './cardSubmission';
import type { FormValidator } from './formPrompt';
import { type ContactField, type Draft, stepLabel, type TenantFacts, type WizardPath } from './requestDraft';

const NO_ERRORS_ACCOUNT = { displayName: '', username: '', domain: '' };

export function accountCard(
  draft: Draft,
  tenant: TenantFacts,
  path?: WizardPath,
): Omit<AccountCardData, 'formId'> {
  const domain = tenant.managedDomains.includes(draft.domain) ? draft.domain : (tenant.defaultDomain ?? '');
  return {
    step: stepLabel('account', path),
    notice: '',
    displayName: draft.displayName,
    username: draft.username,
    domain,
    domains: tenant.managedDomains.map((name) => ({ name })),
    errors: { ...NO_ERRORS_ACCOUNT },
  };
}

export function accountValidator(directory: Directory): FormValidator {
  return async (_context, inputs, shown) => {
    const displayName = inputText(inputs, 'displayName');
    const username = inputText(inputs, 'username');
    const domain = inputText(inputs, 'domain').toLowerCase();
    const offered = (shown.domains as { name: string }[]).map((d) => d.name);
    const checked = validateAccount({ displayName, username });
    const errors = { ...NO_ERRORS_ACCOUNT, ...checked.errors };
    if (!offered.includes(domain)) errors.domain = `Pick one of your managed domains: ${offered.join(', ')}.`;
    if (checked.value !== undefined && errors.domain === '') {
      const name = await checkUsername(directory, checked.value.username, domain, (base) =>
        suggestUsernames(base, 6),
      );
      if (!name.available) {
        const tries =
          name.suggestions.length > 0 ? ` Free alternatives: ${name.suggestions.join(', ')}.` : '';
        errors.username = `${checked.value.username}@${domain} is already taken by ${name.holder ?? 'another account'}.${tries}`;
      }
    }
    if (Object.values(errors).some((e) => e !== '')) {
      return { ok: false, data: { ...shown, displayName, username, domain, errors } };
    }
    const value = checked.value as { displayName: string; username: string };
    return {
      ok: true,
      values: { displayName: value.displayName, username: value.username, domain },
      done: {
        title: '✓ Account',
        facts: [
          { title: 'Display name', value: value.displayName },
          { title: 'User name', value: `${value.username}@${domain}` },
        ],
      },
    };
  };
}

const EMPTY_CONTACT_ERRORS = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, ''])) as Record<
  ContactField,
  string
>;

export function contactCard(draft: Draft, path?: WizardPath): Omit<ContactCardData, 'formId'> {
  return {
    step: stepLabel('contact', path),
    notice: '',
    ...draft.contact,
    errors: { ...EMPTY_CONTACT_ERRORS },
  };
}

export const contactValidator: FormValidator = async (_context, inputs, shown) => {
  const typed = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, inputText(inputs, f)])) as Record<
    ContactField,
    string
  >;
  const checked = validateContact(typed);
  if (checked.value === undefined || Object.values(checked.errors).some((e) => e !== '')) {
    return {
      ok: false,
      data: { ...shown, ...typed, errors: { ...EMPTY_CONTACT_ERRORS, ...checked.errors } },
    };
  }
  const values: Record<string, string> = {};
  for (const field of CONTACT_FIELDS) values[field] = String(checked.value[field] ?? '');
  const facts: Fact[] = CONTACT_FIELDS.filter((f) => values[f] !== '').map((f) => ({
    title: CONTACT_TITLES[f],
    value: values[f],
  }));
  return { ok: true, values, done: { title: '✓ Contact information', facts } };
};

export function syncCard(draft: Draft, tenant: TenantFacts, path?: WizardPath): Omit<SyncCardData, 'formId'> {
  const withSeats = tenant.licences.filter((l) => l.freeSeats > 0);
  const canSync = withSeats.length > 0;
  return {
    step: stepLabel('sync', path),
    notice: '',
    canSyncPublicFolders: canSync,
    noSeatsText:
      tenant.licences.length === 0
        ? 'Your tenant has no licence with an Exchange Online mailbox, so public folders cannot be synced. You can go on without them.'
        : 'No mailbox licence has a free seat, so public folders cannot be synced. You can go on without them, or free a seat and come back.',
    publicFolders: canSync && draft.publicFolders ? 'true' : 'false',
    skuId: withSeats.some((l) => l.skuId === draft.skuId) ? draft.skuId : (withSeats[0]?.skuId ?? ''),
    licences: withSeats.map((l) => ({
      skuId: l.skuId,
      title: `${l.name} — ${l.freeSeats} free`,
      name: l.name,
    })),
    usageLocation: draft.usageLocation,
    countries: USAGE_LOCATIONS.map((c) => ({ code: c.code, name: `${c.name} (${c.code})` })),
    errors: { skuId: '', usageLocation: '' },
  };
}

export const syncValidator: FormValidator = async (_context, inputs, shown) => {
  const canSync = shown.canSyncPublicFolders === true;
  const publicFolders = canSync && inputText(inputs, 'publicFolders') === 'true';
  if (!publicFolders) {
    return {
      ok: true,
      values: { publicFolders: 'false', skuId: '', usageLocation: '' },
      done: { title: '✓ Sync', facts: [{ title: 'Syncs', value: 'Global Address List' }] },
    };
  }
  const skuId = inputText(inputs, 'skuId');
  const offered = shown.licences as { skuId: string; title: string; name?: string }[];
  const licence = offered.find((l) => l.skuId === skuId);
  const location = validateUsageLocation(inputText(inputs, 'usageLocation'));
  const errors = {
    skuId: licence === undefined ? 'Pick one of the licences listed: each has a free seat.' : '',
    usageLocation: location.error ?? '',
  };
  if (errors.skuId !== '' || errors.usageLocation !== '') {
    return {
      ok: false,
      data: {
        ...shown,
        publicFolders: 'true',
        skuId,
        usageLocation: inputText(inputs, 'usageLocation'),
        errors,
      },
    };
  }
  return {
    ok: true,
    values: { publicFolders: 'true', skuId, usageLocation: location.value ?? '' },
    done: {
      title: '✓ Sync',
      facts: [
        { title: 'Syncs', value: 'Global Address List and public folders' },
        { title: 'Licence', value: licence?.name ?? licence?.title ?? skuId },
        { title: 'Usage location', value: location.value ?? '' },
      ],
    },
  };
};

/** Said when the people picker sent an id that is not a Microsoft Entra object id. */
export const UNKNOWN_PICK =
  'I cannot look up the person you picked: the list sent an id that is not in your directory. Type their email address or user name below instead.';

export function approverValidator(directory: Directory, access: AccessChecks): FormValidator {
  return async (context: TurnContext, inputs, shown) => {
    const requester = actorOf(context) ?? { aadObjectId: '', name: '' };
    const approverId = inputText(inputs, 'approverId');
    const approverUpn = inputText(inputs, 'approverUpn');
    const picked = /^[0-9a-f-]{36,37}$/i.test(approverId) ? approverId : undefined;
    if (picked === undefined && approverId !== '' && approverUpn.trim() === '') {
      // A picker that sends its own ids (the Agents Playground for people it has no page for) names
      // nobody in the directory: say so rather than ask again for a choice already made.
      const error = UNKNOWN_PICK;
      return {
        ok: false,
        data: { ...shown, approverId: '', approverUpn, errors: { approverId: error, approverUpn: '' } },
      };
    }
    const result = await resolveApprover(directory, access, requester, {
      objectId: picked,
      typed: picked ? undefined : approverUpn,
    });
    if ('error' in result) {
      const errors = picked
        ? { approverId: result.error, approverUpn: '' }
        : { approverId: '', approverUpn: result.error };
      return { ok: false, data: { ...shown, approverId, approverUpn, errors } };
    }
    const { approver } = result;
    return {
      ok: true,
      values: {
        approverId: approver.aadObjectId,
        approverUpn: approver.userPrincipalName,
        approverName: approver.name,
      },
      done: {
        title: '✓ Approver',
        facts: [{ title: 'Approver', value: `${approver.name} (${approver.userPrincipalName})` }],
      },
    };
  };
}

export function approverCard(draft: Draft, path?: WizardPath): Omit<ApproverCardData, 'formId'> {
  return {
    step: stepLabel('approver', path),
    notice: '',
    approverId: draft.approverId,
    approverUpn: draft.approverUpn,
    errors: { approverId: '', approverUpn: '' },
  };
}
