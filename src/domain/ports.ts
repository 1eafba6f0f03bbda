/**
 * What the domain needs from the outside world. Adapters implement these; tests may too.
 * Every method either returns what exists or throws an `AppError`.
 */
import type {
  DirectoryOverview,
  DirectoryUser,
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
  /** A user by what a person types: their user principal name or their e-mail address. */
  findUserBySignInName(upnOrMail: string): Promise<DirectoryUser | undefined>;
  createUser(user: NewDirectoryUser): Promise<DirectoryUser>;
  updateUser(
    id: string,
    changes: { passwordPolicies?: string; usageLocation?: string; password?: string },
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
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
