/**
 * What the request dialog has gathered so far, and what it learned of the tenant at pre-flight.
 * Plain JSON: it lives in the dialog's persisted state, so a restart loses nothing.
 */
import type { Actor, Approver, RequestDetails } from '../src/domain/request';
import { CONTACT_FIELDS, type ContactDetails } from '../src/domain/tenant';

export const SECTIONS = ['tenant', 'account', 'contact', 'sync', 'approver', 'review'] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Readonly<Record<Section, string>> = {
  tenant: 'Checks',
  account: 'Account',
  contact: 'Contact information',
  sync: 'Sync',
  approver: 'Approver',
  review: 'Review',
};

export type ContactField = (typeof CONTACT_FIELDS)[number];

export interface TenantFacts {
  managedDomains: string[];
  defaultDomain?: string;
  licences: { skuId: string; name: string; freeSeats: number }[];
  acknowledgedWarnings: string[];
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
}

export interface WizardState {
  draft: Draft;
  /** Sections still to ask, in order. */
  pending: Section[];
  tenant?: TenantFacts;
  /** Who started the form (from the activity): the requester of what it submits. */
  owner?: Actor;
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
      ...prefill,
    },
    pending: [...SECTIONS],
  };
}

export function stepLabel(section: Section): string {
  return `Step ${SECTIONS.indexOf(section) + 1} of ${SECTIONS.length} · ${SECTION_TITLES[section]}`;
}

export function previousSection(section: Section): Section | undefined {
  const index = SECTIONS.indexOf(section);
  return index > 0 ? SECTIONS[index - 1] : undefined;
}

export function contactDetails(draft: Draft): ContactDetails {
  const out: ContactDetails = {};
  for (const field of CONTACT_FIELDS) {
    const value = draft.contact[field].trim();
    if (value !== '') out[field] = value;
  }
  return out;
}

export function requestDetails(wizard: WizardState): RequestDetails {
  const { draft, tenant } = wizard;
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
    acknowledgedWarnings: tenant?.acknowledgedWarnings ?? [],
  };
}
