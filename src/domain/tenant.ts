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
