/**
 * What the request dialog has gathered so far, and what it learned of the tenant at pre-flight.
 * Plain JSON: it lives in the dialog's persisted state, so a restart loses nothing.
 */
import { accessScope, DEFAULT_APPLICATION_ROLES } from '../src/domain/appAccess';
import { aboutAccount, type FindingCode } from '../src/domain/preflight';
import type { Actor, Approver, RequestDetails } from '../src/domain/request';
import { CONTACT_FIELDS, type ContactDetails } from '../src/domain/tenant';

/** The sections of a request for a service account, in order. */
export const SECTIONS = ['tenant', 'account', 'contact', 'sync', 'approver', 'review'] as const;
/** The sections of a request that grants CiraSync's own app instead (no service account). */
export const APP_SECTIONS = ['tenant', 'appAccess', 'approver', 'review'] as const;
/** The sections of a request that grants the app and also makes a service account (e.g. for public folders). */
export const APP_AND_ACCOUNT_SECTIONS = [
  'tenant',
  'appAccess',
  'account',
  'contact',
  'sync',
  'approver',
  'review',
] as const;
export type Section = (typeof SECTIONS)[number] | (typeof APP_SECTIONS)[number];
/** A service account with impersonation, CiraSync's app only, or the app and an account beside it. */
export type WizardPath = 'account' | 'app' | 'appAndAccount';

export function sectionsOf(path: WizardPath = 'account'): readonly Section[] {
  switch (path) {
    case 'account':
      return SECTIONS;
    case 'app':
      return APP_SECTIONS;
    case 'appAndAccount':
      return APP_AND_ACCOUNT_SECTIONS;
  }
}

export const SECTION_TITLES: Readonly<Record<Section, string>> = {
  tenant: 'Checks',
  account: 'Account',
  contact: 'Contact information',
  sync: 'Sync',
  appAccess: 'App access',
  approver: 'Approver',
  review: 'Review',
};

export type ContactField = (typeof CONTACT_FIELDS)[number];

export interface TenantFacts {
  managedDomains: string[];
  defaultDomain?: string;
  licences: { skuId: string; name: string; freeSeats: number }[];
  acknowledgedWarnings: string[];
  /**
   * Where the app grant is offered: what pre-flight found that would stop a service account (say,
   * security defaults), so the app card does not offer one beside the grant. Empty when none.
   */
  accountBlockers?: string[];
}

export interface Draft {
  displayName: string;
  username: string;
  domain: string;
  contact: Record<ContactField, string>;
  publicFolders: boolean;
  skuId: string;
  usageLocation: string;
  approver?: Approver;
  approverId: string;
  approverUpn: string;
  /** RBAC for Applications: the app, its scope and its roles. */
  appId: string;
  appScope: 'organization' | 'group' | 'filter';
  appScopeValue: string;
  /** Comma-separated, as the card's multi-select sends them. */
  appRoles: string;
  /** The app's service principal, as Graph found it when the card was checked. */
  appPrincipal?: { id: string; displayName: string };
  /** Beside the app's grant, also make a service account (public folders need one). */
  alsoAccount?: boolean;
}

export interface WizardState {
  draft: Draft;
  /** Sections still to ask, in order. */
  pending: Section[];
  tenant?: TenantFacts;
  /** Who started the form (from the activity): the requester of what it submits. */
  owner?: Actor;
  /** What the request asks for: a service account (the default), or a grant to CiraSync's app. */
  path?: WizardPath;
  /** Pre-flight found ApplicationImpersonation gone, and offered the app grant instead. */
  appOffered?: boolean;
}

export const DEFAULT_DISPLAY_NAME = 'CiraSync Service';
export const DEFAULT_USERNAME = 'cirasync-svc';

export function newWizard(prefill: Partial<Draft> = {}): WizardState {
  const contact = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, ''])) as Record<ContactField, string>;
  return {
    draft: {
      displayName: DEFAULT_DISPLAY_NAME,
      username: DEFAULT_USERNAME,
      domain: '',
      contact: { ...contact, jobTitle: 'Service account', department: 'IT' },
      publicFolders: false,
      skuId: '',
      usageLocation: '',
      approverId: '',
      approverUpn: '',
      appId: '',
      appScope: 'organization',
      appScopeValue: '',
      appRoles: DEFAULT_APPLICATION_ROLES.join(','),
      ...prefill,
    },
    pending: [...SECTIONS],
  };
}

export function stepLabel(section: Section, path: WizardPath = 'account'): string {
  const sections = sectionsOf(path);
  return `Step ${sections.indexOf(section) + 1} of ${sections.length} · ${SECTION_TITLES[section]}`;
}

export function previousSection(section: Section, path: WizardPath = 'account'): Section | undefined {
  const sections = sectionsOf(path);
  const index = sections.indexOf(section);
  return index > 0 ? sections[index - 1] : undefined;
}

/** The app grant the draft describes, once its card was checked. */
export function appGrantOf(draft: Draft): RequestDetails['appAccess'] {
  if (draft.appPrincipal === undefined) return undefined;
  const scope = accessScope(draft.appScope, draft.appScopeValue);
  return {
    appId: draft.appId,
    servicePrincipalId: draft.appPrincipal.id,
    displayName: draft.appPrincipal.displayName,
    roles: draft.appRoles
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
    scope,
  };
}

export function contactDetails(draft: Draft): ContactDetails {
  const out: ContactDetails = {};
  for (const field of CONTACT_FIELDS) {
    const value = draft.contact[field].trim();
    if (value !== '') out[field] = value;
  }
  return out;
}

/**
 * The pre-flight findings a request acknowledges: all of them for a service account; for the app
 * alone only those about impersonation (the account's do not apply to an app); beside an account, all
 * but the "App Impersonation" group's, which the account is not put in.
 */
function acknowledgedFor(path: WizardPath | undefined, acknowledged: string[]): string[] {
  switch (path) {
    case 'app':
      return acknowledged.filter((code) => !aboutAccount({ code: code as FindingCode }));
    case 'appAndAccount':
      return acknowledged.filter((code) => code !== 'impersonationGroupExists');
    default:
      return acknowledged;
  }
}

export function requestDetails(wizard: WizardState): RequestDetails {
  const { draft, tenant } = wizard;
  const acknowledgedWarnings = acknowledgedFor(wizard.path, tenant?.acknowledgedWarnings ?? []);
  const appAccess = wizard.path === 'account' ? undefined : appGrantOf(draft);
  if (appAccess !== undefined && wizard.path === 'app') {
    return {
      displayName: appAccess.displayName,
      username: '',
      domain: tenant?.defaultDomain ?? '',
      contact: {},
      acknowledgedWarnings,
      serviceAccount: false,
      appAccess,
    };
  }
  const licence = tenant?.licences.find((l) => l.skuId === draft.skuId);
  return {
    displayName: draft.displayName,
    username: draft.username,
    domain: draft.domain,
    contact: contactDetails(draft),
    publicFolders:
      draft.publicFolders && licence !== undefined
        ? { skuId: licence.skuId, skuName: licence.name }
        : undefined,
    usageLocation: draft.publicFolders ? draft.usageLocation : undefined,
    acknowledgedWarnings,
    ...(appAccess === undefined ? {} : { appAccess }),
  };
}

/**
 * The cards an Edit on the review's section opens. The app path has one card for what the account
 * path asks in three; beside an account, the review's Sync section covers the app card too.
 */
function editedSections(path: WizardPath | undefined, section: string): string[] {
  if (path === 'app') return [section === 'approver' ? 'approver' : 'appAccess'];
  if (path === 'appAndAccount' && section === 'sync') return ['appAccess', 'sync'];
  return [section];
}

/**
 * Where the form starts again after Back, Edit (from the review) or Check again: the sections still
 * to ask, in the order of its path. Check again starts over on the account path; pre-flight decides
 * afresh whether to offer the app grant.
 */
export function wizardAfter(
  result: { kind: 'back' | 'retry' } | { kind: 'edit'; section: string },
  section: Section,
  wizard: WizardState,
): WizardState {
  const sections = sectionsOf(wizard.path);
  switch (result.kind) {
    case 'back': {
      const previous = previousSection(section, wizard.path);
      const pending = previous === undefined ? wizard.pending : [previous, ...wizard.pending];
      return { ...wizard, pending: sections.filter((s) => pending.includes(s)) };
    }
    case 'edit': {
      const asked = editedSections(wizard.path, result.section);
      const targets = sections.filter((s) => asked.includes(s) && s !== 'tenant' && s !== 'review');
      return { ...wizard, pending: [...targets, 'review'] };
    }
    case 'retry':
      return { ...wizard, path: undefined, appOffered: false, pending: [...SECTIONS] };
  }
}
