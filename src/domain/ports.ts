/**
 * What the domain needs from the outside world. Adapters implement these; tests may too.
 * Every method either returns what exists or throws an `AppError`.
 */
import type {
  DirectoryAccountReading,
  DirectoryOverview,
  DirectoryServicePrincipal,
  DirectoryUser,
  ExchangeAccountQuery,
  ExchangeAccountReading,
  ExchangeOverview,
  NewDirectoryUser,
  RoleAssignment,
  RoleGroup,
  SubscribedSku,
} from './tenant';

/** Microsoft Graph: the directory. */
export interface Directory {
  /** The tenant's id (GUID), whatever name the connection was configured with. */
  organizationId(): Promise<string>;
  /** Domains, SKUs, security defaults, Conditional Access and Global Admins in one round trip. */
  readOverview(): Promise<DirectoryOverview>;
  /** `undefined` when no user has that UPN. */
  findUser(idOrUpn: string): Promise<DirectoryUser | undefined>;
  /** A user by what a person types: their user principal name, email address or bare user name (alias). */
  findUserBySignInName(upnOrMail: string): Promise<DirectoryUser | undefined>;
  createUser(user: NewDirectoryUser): Promise<DirectoryUser>;
  /** `accountEnabled: false` stops the user signing in (setting it again changes nothing). */
  updateUser(
    id: string,
    changes: {
      passwordPolicies?: string;
      usageLocation?: string;
      password?: string;
      accountEnabled?: boolean;
    },
  ): Promise<void>;
  deleteUser(id: string): Promise<void>;
  listSkus(): Promise<SubscribedSku[]>;
  assignLicense(userId: string, skuId: string): Promise<void>;
  removeLicense(userId: string, skuId: string): Promise<void>;
  listRoleAssignments(filter: { principalId: string; roleDefinitionId?: string }): Promise<RoleAssignment[]>;
  createRoleAssignment(principalId: string, roleDefinitionId: string): Promise<RoleAssignment>;
  deleteRoleAssignment(id: string): Promise<void>;
  /** True when the user is a member of the group (Graph `checkMemberGroups`, transitive). */
  isMemberOfGroup(userId: string, groupId: string): Promise<boolean>;
  /** Per-user MFA state (`disabled`, `enabled`, `enforced`). */
  perUserMfaState(userId: string): Promise<string>;
  /** The service principal of an application (client) id; undefined when the tenant has none. */
  findServicePrincipal(appId: string): Promise<DirectoryServicePrincipal | undefined>;
  /**
   * Everything the health watch needs of the directory about one account, in at most two round trips
   * (a `$batch` and the per-user MFA read). `domain` is the domain of its sign-in name.
   */
  readAccountHealth(userId: string, domain: string): Promise<DirectoryAccountReading>;
}

/** Exchange Online through the admin API's InvokeCommand. */
export interface Exchange {
  readOverview(): Promise<ExchangeOverview>;
  getRoleGroup(name: string): Promise<RoleGroup | undefined>;
  newRoleGroup(name: string, roles: string[], members: string[]): Promise<RoleGroup>;
  addRoleGroupMember(group: string, member: string): Promise<void>;
  /** True when Exchange knows the user as a recipient. */
  recipientExists(identity: string): Promise<boolean>;
  mailboxExists(identity: string): Promise<boolean>;
  /** The user's access rights on the folder; `undefined` when the user has no entry there. */
  publicFolderAccess(folder: string, user: string): Promise<string[] | undefined>;
  addPublicFolderPermission(folder: string, user: string, accessRights: string): Promise<void>;
  /** Users that hold the role through any assignment, as `-GetEffectiveUsers` reports them. */
  effectiveRoleUsers(role: string): Promise<string[]>;
  /** What the health watch asks about one account, in one admin API `$batch` round trip. */
  readAccountHealth(query: ExchangeAccountQuery): Promise<ExchangeAccountReading>;
}

/** Exchange Online's RBAC for Applications: the sync product's app granted application roles. */
export interface ExchangeAppAccess {
  /** The app as Exchange knows it (`Get-ServicePrincipal`); undefined when not registered there. */
  getServicePrincipal(appId: string): Promise<ExchangeServicePrincipal | undefined>;
  /** `New-ServicePrincipal -AppId -ObjectId -DisplayName` (the Entra service principal's object id). */
  newServicePrincipal(principal: ExchangeServicePrincipal): Promise<void>;
  /** The recipient filter of a management scope; undefined when there is no scope of that name. */
  getManagementScope(name: string): Promise<{ name: string; filter: string } | undefined>;
  newManagementScope(name: string, filter: string): Promise<void>;
  /** The app's role assignments: the role and the custom resource scope, if any. */
  appRoleAssignments(appId: string): Promise<{ role: string; scope?: string }[]>;
  newAppRoleAssignment(assignment: {
    name: string;
    servicePrincipalId: string;
    role: string;
    scope?: string;
  }): Promise<void>;
  /**
   * `Test-ServicePrincipalAuthorization`: the roles the app holds and, for a `resource` mailbox,
   * whether it is in each role's scope. It reads the grant directly, not the app's permission cache.
   */
  testAppAuthorization(appId: string, resource?: string): Promise<{ role: string; inScope?: boolean }[]>;
}

export interface ExchangeServicePrincipal {
  appId: string;
  objectId: string;
  displayName: string;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
