import type { SimulatorClock } from '../clock';
import { hasMailboxPlan } from './skuCatalog';
import type {
  SimAppRoleAssignment,
  SimConditionalAccessPolicy,
  SimDomain,
  SimExchangeServicePrincipal,
  SimGroup,
  SimManagementRole,
  SimManagementScope,
  SimPublicFolderPermission,
  SimRoleAssignment,
  SimRoleDefinition,
  SimRoleGroup,
  SimServicePrincipal,
  SimSku,
  SimUser,
  TenantSnapshot,
} from './stateTypes';

/** How long the simulated Microsoft 365 takes to catch up after a change (simulator-clock ms). */
export interface SimulatorDelays {
  /** A new Entra user is unknown to Exchange (`Get-Recipient`, `Add-RoleGroupMember`) for this long. */
  exchangeRecipientMs: number;
  /** A mailbox exists this long after a licence with an Exchange plan is assigned. */
  mailboxMs: number;
  /** A role-group member shows in `Get-ManagementRoleAssignment -GetEffectiveUsers` after this long. */
  replicationMs: number;
}

/** How long Exchange keeps a mailbox after its user's last mailbox licence is removed. */
export const MAILBOX_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The simulated tenant: Entra (users, domains, licences, roles, policies, enterprise applications) and
 * Exchange Online (role groups, public-folder permissions, RBAC for Applications). Routes read and change it; every change bumps `version`, which is
 * how the call log knows whether a request committed anything.
 */
export class TenantState {
  version = 0;
  readonly users = new Map<string, SimUser>();
  domains: SimDomain[] = [];
  skus: SimSku[] = [];
  roleDefinitions: SimRoleDefinition[] = [];
  roleAssignments: SimRoleAssignment[] = [];
  managementRoles: SimManagementRole[] = [];
  roleGroups: SimRoleGroup[] = [];
  publicFolderPermissions: SimPublicFolderPermission[] = [];
  securityDefaultsEnabled = false;
  conditionalAccessPolicies: SimConditionalAccessPolicy[] = [];
  groups: SimGroup[] = [];
  servicePrincipals: SimServicePrincipal[] = [];
  exchangeServicePrincipals: SimExchangeServicePrincipal[] = [];
  managementScopes: SimManagementScope[] = [];
  appRoleAssignments: SimAppRoleAssignment[] = [];
  customAttributes: Record<string, Record<number, string>> = {};
  /** Called after every `changed()` (the state file, when there is one, is written soon after). */
  onChanged: (() => void) | undefined;

  constructor(
    readonly tenantId: string,
    readonly initialDomain: string,
    readonly organizationName: string,
    readonly delays: SimulatorDelays,
    readonly clock: SimulatorClock,
  ) {}

  /** Marks the state as changed (call after every mutation). */
  changed(): void {
    this.version += 1;
    this.onChanged?.();
  }

  /** By object id or user principal name (case-insensitive). */
  findUser(idOrUpn: string): SimUser | undefined {
    const byId = this.users.get(idOrUpn.toLowerCase());
    if (byId !== undefined) return byId;
    const upn = idOrUpn.toLowerCase();
    return [...this.users.values()].find((user) => user.userPrincipalName.toLowerCase() === upn);
  }

  listUsers(): SimUser[] {
    return [...this.users.values()];
  }

  addUser(user: SimUser): void {
    this.users.set(user.id.toLowerCase(), user);
    this.changed();
  }

  /** Removes the user and everything that points at it (roles, role-group seats, permissions). */
  deleteUser(id: string): void {
    this.users.delete(id.toLowerCase());
    this.roleAssignments = this.roleAssignments.filter((assignment) => assignment.principalId !== id);
    for (const group of this.roleGroups)
      group.members = group.members.filter((member) => member.userId !== id);
    this.publicFolderPermissions = this.publicFolderPermissions.filter(
      (permission) => permission.user !== id,
    );
    delete this.customAttributes[id];
    this.changed();
  }

  domain(name: string): SimDomain | undefined {
    return this.domains.find((domain) => domain.id.toLowerCase() === name.toLowerCase());
  }

  /** Tenant names accepted in URLs: the tenant id, or any verified domain. */
  isTenantName(name: string): boolean {
    if (name.toLowerCase() === this.tenantId.toLowerCase()) return true;
    return this.domain(name)?.isVerified === true;
  }

  sku(skuId: string): SimSku | undefined {
    return this.skus.find((sku) => sku.skuId.toLowerCase() === skuId.toLowerCase());
  }

  consumedUnits(sku: SimSku): number {
    const assigned = this.listUsers().filter((user) =>
      user.assignedLicenses.some((license) => license.skuId === sku.skuId),
    ).length;
    return sku.externalConsumedUnits + assigned;
  }

  /** Whether Exchange knows the user as a recipient yet. */
  isRecipient(user: SimUser): boolean {
    return user.createdAtMs + this.delays.exchangeRecipientMs <= this.clock.now();
  }

  /** When the user's mailbox came (or comes) into being; null without a mailbox licence. */
  mailboxReadyAtMs(user: SimUser): number | null {
    if (user.mailboxLicensedAtMs === null || !this.hasMailboxLicence(user)) return null;
    return Math.max(
      user.mailboxLicensedAtMs + this.delays.mailboxMs,
      user.createdAtMs + this.delays.exchangeRecipientMs,
    );
  }

  hasMailbox(user: SimUser): boolean {
    const now = this.clock.now();
    const readyAt = this.mailboxReadyAtMs(user);
    if (readyAt !== null && readyAt <= now) return true;
    return user.mailboxKeptUntilMs !== null && user.mailboxKeptUntilMs > now;
  }

  /**
   * Gives the user these licences (Graph `assignLicense`, or an admin elsewhere). A mailbox licence
   * starts the mailbox's clock; losing the last one keeps an existing mailbox for `MAILBOX_GRACE_MS`
   * ("Remove licenses from users", Microsoft 365 admin docs: the mailbox data is held for 30 days
   * after the licence goes, then deleted), after which `Get-Mailbox` no longer finds it.
   */
  setLicences(user: SimUser, licences: SimUser['assignedLicenses']): void {
    const hadMailbox = this.hasMailbox(user);
    user.assignedLicenses = licences;
    const now = this.clock.now();
    if (!this.hasMailboxLicence(user)) {
      if (hadMailbox && user.mailboxLicensedAtMs !== null) user.mailboxKeptUntilMs = now + MAILBOX_GRACE_MS;
      user.mailboxLicensedAtMs = null;
    } else if (user.mailboxLicensedAtMs === null) {
      // Licensed again within the grace period: the kept mailbox is the one that comes back.
      user.mailboxLicensedAtMs = user.mailboxKeptUntilMs !== null && user.mailboxKeptUntilMs > now ? 0 : now;
      user.mailboxKeptUntilMs = null;
    }
    this.changed();
  }

  hasMailboxLicence(user: SimUser): boolean {
    return user.assignedLicenses.some((license) => {
      const sku = this.sku(license.skuId);
      return sku !== undefined && hasMailboxPlan(sku.servicePlans, license.disabledPlans);
    });
  }

  roleGroup(name: string): SimRoleGroup | undefined {
    const wanted = name.toLowerCase();
    return this.roleGroups.find((group) => group.name.toLowerCase() === wanted || group.guid === wanted);
  }

  managementRole(name: string): SimManagementRole | undefined {
    return this.managementRoles.find((role) => role.name.toLowerCase() === name.toLowerCase());
  }

  /** Exchange's service principal by Name, ObjectId (ServiceId), AppId, Guid or DisplayName. */
  exchangeServicePrincipal(identity: string): SimExchangeServicePrincipal | undefined {
    const wanted = identity.trim().toLowerCase();
    return this.exchangeServicePrincipals.find((principal) =>
      [principal.objectId, principal.appId, principal.guid, principal.displayName].some(
        (value) => value.toLowerCase() === wanted,
      ),
    );
  }

  managementScope(name: string): SimManagementScope | undefined {
    const wanted = name.trim().toLowerCase();
    return this.managementScopes.find(
      (scope) => scope.name.toLowerCase() === wanted || scope.guid === wanted,
    );
  }

  snapshot(): TenantSnapshot {
    return structuredClone({
      tenantId: this.tenantId,
      initialDomain: this.initialDomain,
      organizationName: this.organizationName,
      users: this.listUsers().map((user) => ({
        ...user,
        exchange: { recipient: this.isRecipient(user), mailbox: this.hasMailbox(user) },
      })),
      domains: this.domains,
      skus: this.skus.map((sku) => ({ ...sku, consumedUnits: this.consumedUnits(sku) })),
      roleDefinitions: this.roleDefinitions,
      roleAssignments: this.roleAssignments,
      managementRoles: this.managementRoles,
      roleGroups: this.roleGroups,
      publicFolderPermissions: this.publicFolderPermissions,
      securityDefaultsEnabled: this.securityDefaultsEnabled,
      conditionalAccessPolicies: this.conditionalAccessPolicies,
      groups: this.groups,
      servicePrincipals: this.servicePrincipals,
      exchangeServicePrincipals: this.exchangeServicePrincipals,
      managementScopes: this.managementScopes,
      appRoleAssignments: this.appRoleAssignments,
      customAttributes: this.customAttributes,
    });
  }
}
