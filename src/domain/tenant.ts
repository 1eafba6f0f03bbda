/** The tenant as the domain sees it: plain data, mapped from Graph and Exchange by the adapters. */

export interface TenantDomain {
  id: string;
  isVerified: boolean;
  isDefault: boolean;
  isInitial: boolean;
  authenticationType: 'Managed' | 'Federated' | string;
}

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  mail?: string;
  passwordPolicies?: string;
  usageLocation?: string;
  employeeType?: string;
  createdDateTime?: string;
  assignedLicenses: { skuId: string }[];
}

export interface ContactDetails {
  jobTitle?: string;
  department?: string;
  companyName?: string;
  businessPhone?: string;
  mobilePhone?: string;
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

/** The contact fields the form asks for, in the order shown (the company name is not asked). */
export const CONTACT_FIELDS = [
  'jobTitle',
  'department',
  'businessPhone',
  'mobilePhone',
  'streetAddress',
  'city',
  'state',
  'postalCode',
  'country',
] as const satisfies readonly (keyof ContactDetails)[];

/** What admins read next to each contact field, on the forms and the approval card. */
export const CONTACT_TITLES: Readonly<Record<(typeof CONTACT_FIELDS)[number], string>> = {
  jobTitle: 'Job title',
  department: 'Department',
  businessPhone: 'Office phone',
  mobilePhone: 'Mobile phone',
  streetAddress: 'Street address',
  city: 'City',
  state: 'State or province',
  postalCode: 'Postal code',
  country: 'Country or region',
};

/** An app's service principal (enterprise application) in this tenant. */
export interface DirectoryServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
}

export interface NewDirectoryUser {
  displayName: string;
  mailNickname: string;
  userPrincipalName: string;
  password: string;
  usageLocation?: string;
  employeeType: string;
  contact: ContactDetails;
}

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  enabledUnits: number;
  consumedUnits: number;
  capabilityStatus: string;
}

export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

export interface ConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' | string;
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  excludeGroups: string[];
  includeRoles: string[];
  excludeRoles: string[];
  includeApplications: string[];
  /** Grant controls: `mfa` among `builtInControls`, or an authentication strength. */
  requiresMfa: boolean;
}

/** What one batched read of the directory tells pre-flight. */
export interface DirectoryOverview {
  domains: TenantDomain[];
  skus: SubscribedSku[];
  securityDefaultsEnabled: boolean;
  conditionalAccessPolicies: ConditionalAccessPolicy[];
  /** Distinct principals holding Global Administrator. */
  globalAdminPrincipalIds: string[];
}

/** What Exchange Online tells pre-flight. */
export interface ExchangeOverview {
  impersonationRoleExists: boolean;
  impersonationGroup?: RoleGroup;
}

export interface RoleGroup {
  name: string;
  roles: string[];
  /** Member identities as Exchange reports them (names, UPNs or ids). */
  members: string[];
}

/**
 * What the directory says about a ready service account now, for the health watch: one Graph `$batch`
 * and the per-user MFA read (beta), never more.
 */
export interface DirectoryAccountReading {
  /** Undefined when the directory has no user of that id any more (deleted). */
  user?: {
    id: string;
    userPrincipalName: string;
    accountEnabled: boolean;
    /** As Graph stores it: `DisablePasswordExpiration`, `DisableStrongPassword`, comma-joined, or ''. */
    passwordPolicies: string;
    /** The licences assigned directly or through groups (`assignedLicenses[].skuId`). */
    skuIds: string[];
  };
  /** Groups the user is in, directly or through other groups (`transitiveMemberOf`). */
  groupIds: string[];
  /** Roles the user holds tenant-wide (`directoryScopeId` `/`), by role definition id. */
  roleDefinitionIds: string[];
  securityDefaultsEnabled: boolean;
  conditionalAccessPolicies: ConditionalAccessPolicy[];
  /** The domain of the user's sign-in name; undefined when the tenant has no such domain. */
  domain?: TenantDomain;
  /** Per-user MFA (`disabled`, `enabled`, `enforced`); `disabled` when the user is gone. */
  perUserMfaState: string;
}

/** What the health watch asks Exchange about the account: only what the request set up. */
export interface ExchangeAccountQuery {
  /** The account's sign-in name. */
  user: string;
  /** Check membership of this role group (classic impersonation). */
  roleGroup?: string;
  /** Check the mailbox exists (public folders are synced). */
  mailbox?: boolean;
  /** Check the account's rights on this public folder. */
  publicFolder?: string;
  /** Check the role assignments of this app (RBAC for Applications), by app id. */
  appId?: string;
}

/** Exchange's answers, in one admin API `$batch`; each field only when it was asked. */
export interface ExchangeAccountReading {
  /** The role group exists and lists the account (false when it lists it not, or is gone). */
  roleGroupMember?: boolean;
  mailbox?: boolean;
  /** The account's rights on the folder; `null` when it has no entry there. */
  publicFolderRights?: string[] | null;
  /** The app's role assignments; empty when the app is not known to Exchange any more. */
  appRoles?: { role: string; scope?: string }[];
}
