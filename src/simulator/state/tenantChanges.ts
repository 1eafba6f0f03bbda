/**
 * Changes an admin elsewhere makes to the tenant, for tests that break a ready account the way it
 * breaks in real tenants: each changes the state as the portal or PowerShell would, bumps the state
 * version, and throws when what it names is not there (a test that names the wrong thing fails).
 */
import type { IdGenerator } from '../idGenerator';
import type { ConditionalAccessState, PerUserMfaState, SimUser } from './stateTypes';
import type { TenantState } from './tenantState';
import { roleAssignmentId } from './userRecord';

export interface NewConditionalAccessPolicy {
  displayName: string;
  /** Default `enabled`. */
  state?: ConditionalAccessState;
  includeUsers?: string[];
  includeGroups?: string[];
  includeRoles?: string[];
  excludeUsers?: string[];
  /** Default `['All']`. */
  includeApplications?: string[];
  /** Grant `mfa` (default true); false grants `block`. */
  requireMfa?: boolean;
}

export interface TenantChanges {
  setSecurityDefaults(enabled: boolean): void;
  /** Adds a Conditional Access policy; returns its id. */
  addConditionalAccessPolicy(policy: NewConditionalAccessPolicy): string;
  setConditionalAccessPolicyState(policyId: string, state: ConditionalAccessState): void;
  setPerUserMfa(user: string, state: PerUserMfaState): void;
  /** `accountEnabled` and/or `passwordPolicies` (null clears them, as Graph stores no policies). */
  setSignIn(user: string, changes: { accountEnabled?: boolean; passwordPolicies?: string | null }): void;
  /** Takes a licence from the user; the mailbox it carried is kept 30 days (`MAILBOX_GRACE_MS`). */
  removeLicence(user: string, skuId: string): void;
  removeRoleGroupMember(group: string, user: string): void;
  removePublicFolderPermission(user: string): void;
  /** Removes every RBAC for Applications assignment of the app (by app id or object id). */
  removeAppRoleAssignments(app: string): void;
  /** Makes the domain federated (single sign-on through another identity provider). */
  federateDomain(domain: string): void;
  /** Directory role assignments at the tenant scope (`/`), by role definition (template) id. */
  removeDirectoryRole(user: string, roleDefinitionId: string): void;
  addDirectoryRole(user: string, roleDefinitionId: string): void;
  /** Deletes the user, as an admin does in the admin center (its roles and seats go with it). */
  deleteUser(user: string): void;
}

export function tenantChanges(state: TenantState, ids: IdGenerator): TenantChanges {
  const user = (idOrUpn: string): SimUser => {
    const found = state.findUser(idOrUpn);
    if (found === undefined) throw new Error(`The tenant has no user ${idOrUpn}`);
    return found;
  };
  const policy = (policyId: string) => {
    const found = state.conditionalAccessPolicies.find((candidate) => candidate.id === policyId);
    if (found === undefined) throw new Error(`The tenant has no Conditional Access policy ${policyId}`);
    return found;
  };
  return {
    setSecurityDefaults(enabled) {
      state.securityDefaultsEnabled = enabled;
      state.changed();
    },
    addConditionalAccessPolicy(input) {
      const id = ids.guid();
      state.conditionalAccessPolicies.push({
        id,
        displayName: input.displayName,
        state: input.state ?? 'enabled',
        includeUsers: [...(input.includeUsers ?? [])],
        excludeUsers: [...(input.excludeUsers ?? [])],
        includeGroups: [...(input.includeGroups ?? [])],
        includeRoles: [...(input.includeRoles ?? [])],
        includeApplications: [...(input.includeApplications ?? ['All'])],
        builtInControls: input.requireMfa === false ? ['block'] : ['mfa'],
        createdDateTime: state.clock.iso().replace(/\.\d{3}Z$/, 'Z'),
      });
      state.changed();
      return id;
    },
    setConditionalAccessPolicyState(policyId, next) {
      policy(policyId).state = next;
      state.changed();
    },
    setPerUserMfa(idOrUpn, next) {
      user(idOrUpn).perUserMfaState = next;
      state.changed();
    },
    setSignIn(idOrUpn, changes) {
      const target = user(idOrUpn);
      if (changes.accountEnabled !== undefined) target.accountEnabled = changes.accountEnabled;
      if (changes.passwordPolicies !== undefined) target.passwordPolicies = changes.passwordPolicies;
      state.changed();
    },
    removeLicence(idOrUpn, skuId) {
      const target = user(idOrUpn);
      const kept = target.assignedLicenses.filter((held) => held.skuId.toLowerCase() !== skuId.toLowerCase());
      if (kept.length === target.assignedLicenses.length)
        throw new Error(`${target.userPrincipalName} has no licence ${skuId}`);
      state.setLicences(target, kept);
    },
    removeRoleGroupMember(groupName, idOrUpn) {
      const group = state.roleGroup(groupName);
      if (group === undefined) throw new Error(`Exchange has no role group ${groupName}`);
      const target = user(idOrUpn);
      const members = group.members.filter((member) => member.userId !== target.id);
      if (members.length === group.members.length)
        throw new Error(`${target.userPrincipalName} is not in ${group.name}`);
      group.members = members;
      state.changed();
    },
    removePublicFolderPermission(idOrUpn) {
      const target = user(idOrUpn);
      const kept = state.publicFolderPermissions.filter((permission) => permission.user !== target.id);
      if (kept.length === state.publicFolderPermissions.length)
        throw new Error(`${target.userPrincipalName} has no public-folder permission`);
      state.publicFolderPermissions = kept;
      state.changed();
    },
    removeAppRoleAssignments(app) {
      const principal = state.exchangeServicePrincipal(app);
      if (principal === undefined) throw new Error(`Exchange has no service principal ${app}`);
      state.appRoleAssignments = state.appRoleAssignments.filter(
        (assignment) => assignment.app !== principal.objectId,
      );
      state.changed();
    },
    federateDomain(name) {
      const domain = state.domain(name);
      if (domain === undefined) throw new Error(`The tenant has no domain ${name}`);
      domain.authenticationType = 'Federated';
      state.changed();
    },
    removeDirectoryRole(idOrUpn, roleDefinitionId) {
      const target = user(idOrUpn);
      const wanted = roleDefinitionId.toLowerCase();
      const kept = state.roleAssignments.filter(
        (assignment) =>
          !(
            assignment.principalId === target.id &&
            assignment.roleDefinitionId === wanted &&
            assignment.directoryScopeId === '/'
          ),
      );
      if (kept.length === state.roleAssignments.length)
        throw new Error(`${target.userPrincipalName} does not hold ${roleDefinitionId}`);
      state.roleAssignments = kept;
      state.changed();
    },
    addDirectoryRole(idOrUpn, roleDefinitionId) {
      const target = user(idOrUpn);
      const wanted = roleDefinitionId.toLowerCase();
      if (!state.roleDefinitions.some((definition) => definition.id === wanted))
        throw new Error(`The tenant has no role definition ${roleDefinitionId}`);
      if (
        state.roleAssignments.some(
          (assignment) => assignment.principalId === target.id && assignment.roleDefinitionId === wanted,
        )
      )
        throw new Error(`${target.userPrincipalName} already holds ${roleDefinitionId}`);
      state.roleAssignments.push({
        id: roleAssignmentId(wanted, target.id),
        roleDefinitionId: wanted,
        principalId: target.id,
        directoryScopeId: '/',
      });
      state.changed();
    },
    deleteUser(idOrUpn) {
      state.deleteUser(user(idOrUpn).id);
    },
  };
}
