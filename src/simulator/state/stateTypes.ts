/** The simulated tenant's records. Plain data: `TenantState` owns them, `state()` copies them. */

export type PerUserMfaState = 'disabled' | 'enabled' | 'enforced';

export interface AssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  accountEnabled: boolean;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  companyName: string | null;
  employeeType: string | null;
  officeLocation: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  usageLocation: string | null;
  preferredLanguage: string | null;
  passwordPolicies: string | null;
  /** SHA-256 (hex) of the password, so a test can check a hand-over without the state holding it. */
  passwordSha256: string | null;
  forceChangePasswordNextSignIn: boolean;
  onPremisesImmutableId: string | null;
  assignedLicenses: AssignedLicense[];
  createdDateTime: string;
  /** Simulator clock (ms) at creation: Exchange learns of the user `exchangeRecipientMs` later. */
  createdAtMs: number;
  /** When a licence with an Exchange mailbox plan was first assigned; the mailbox follows `mailboxMs` later. */
  mailboxLicensedAtMs: number | null;
  /**
   * When the last mailbox licence went while the mailbox existed: Exchange keeps the mailbox for 30
   * days after that (`MAILBOX_GRACE_MS`), then it is gone; null while licensed or never licensed.
   */
  mailboxKeptUntilMs: number | null;
  perUserMfaState: PerUserMfaState;
}

export type DomainAuthenticationType = 'Managed' | 'Federated';

export interface SimDomain {
  id: string;
  authenticationType: DomainAuthenticationType;
  isVerified: boolean;
  isDefault: boolean;
  isInitial: boolean;
  supportedServices: string[];
}

export interface SimServicePlan {
  servicePlanId: string;
  servicePlanName: string;
}

export interface SimSku {
  skuId: string;
  skuPartNumber: string;
  enabledUnits: number;
  /** Seats used by people outside the simulation (consumedUnits = this + assigned simulated users). */
  externalConsumedUnits: number;
  servicePlans: SimServicePlan[];
  subscriptionId: string;
}

export interface SimRoleDefinition {
  id: string;
  displayName: string;
  description: string;
}

export interface SimRoleAssignment {
  id: string;
  roleDefinitionId: string;
  principalId: string;
  directoryScopeId: string;
}

export interface SimManagementRole {
  name: string;
  roleType: string;
  description: string;
}

export interface SimRoleGroupMember {
  userId: string;
  /** Visible to `Get-ManagementRoleAssignment -GetEffectiveUsers` from `addedAtMs + replicationMs`. */
  addedAtMs: number;
}

export interface SimRoleGroup {
  name: string;
  guid: string;
  description: string;
  roles: string[];
  members: SimRoleGroupMember[];
  /** `Delegating` assignments (Organization Management can delegate roles it does not hold). */
  delegatingRoles: string[];
  createdAtMs: number;
}

/** A client permission on the public-folder root `\`. `user` is `Default`, `Anonymous` or a user id. */
export interface SimPublicFolderPermission {
  user: string;
  accessRights: string[];
}

export type ConditionalAccessState = 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';

export interface SimConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: ConditionalAccessState;
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  includeRoles: string[];
  /** `All`, or application (client) ids. */
  includeApplications: string[];
  builtInControls: string[];
  createdDateTime: string;
}

/** A security group, with its direct members (user object ids). */
export interface SimGroup {
  id: string;
  displayName: string;
  memberIds: string[];
}

/** An Entra enterprise application (service principal): what Graph `/servicePrincipals` lists. */
export interface SimServicePrincipal {
  /** The service principal's object id (not the app registration's). */
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  /** The tenant that owns the app registration (another tenant for a multi-tenant product). */
  appOwnerOrganizationId: string;
  createdDateTime: string;
}

/** Exchange's pointer to an Entra service principal (`New-ServicePrincipal`). */
export interface SimExchangeServicePrincipal {
  appId: string;
  /** The Entra service principal's object id (`-ObjectId`, formerly `-ServiceId`). */
  objectId: string;
  displayName: string;
  guid: string;
  createdAtMs: number;
}

/** A recipient management scope (`New-ManagementScope -RecipientRestrictionFilter`). */
export interface SimManagementScope {
  name: string;
  guid: string;
  /** The OPATH filter as Exchange stores it (group names resolved to distinguished names). */
  recipientFilter: string;
  recipientRoot: string | null;
  exclusive: boolean;
  createdAtMs: number;
}

/** A management role assignment to a service principal (`New-ManagementRoleAssignment -App`). */
export interface SimAppRoleAssignment {
  name: string;
  guid: string;
  role: string;
  /** The Exchange service principal's object id. */
  app: string;
  /** The `-CustomResourceScope` (a management scope's name), or null for the whole organisation. */
  scope: string | null;
  createdAtMs: number;
}

/** Everything `state()` returns (a deep copy). */
export interface TenantSnapshot {
  tenantId: string;
  initialDomain: string;
  organizationName: string;
  users: Array<SimUser & { exchange: { recipient: boolean; mailbox: boolean } }>;
  domains: SimDomain[];
  skus: Array<SimSku & { consumedUnits: number }>;
  roleDefinitions: SimRoleDefinition[];
  roleAssignments: SimRoleAssignment[];
  managementRoles: SimManagementRole[];
  roleGroups: SimRoleGroup[];
  publicFolderPermissions: SimPublicFolderPermission[];
  securityDefaultsEnabled: boolean;
  conditionalAccessPolicies: SimConditionalAccessPolicy[];
  groups: SimGroup[];
  servicePrincipals: SimServicePrincipal[];
  exchangeServicePrincipals: SimExchangeServicePrincipal[];
  managementScopes: SimManagementScope[];
  appRoleAssignments: SimAppRoleAssignment[];
  /** Exchange `CustomAttribute1`…`15` of recipients, by user id (attribute number → value). */
  customAttributes: Record<string, Record<number, string>>;
}
