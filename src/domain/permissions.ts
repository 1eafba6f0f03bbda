/**
 * Least privilege, checked: the application permissions (app roles) the bot's Entra app needs, and
 * why (docs/microsoft365.md), compared with what its own access tokens carry. Missing ones are
 * reported before an admin meets them mid-flow; extra ones are a warning, since every grant widens
 * what a leaked credential could do.
 */

export interface PermissionNeed {
  api: 'Microsoft Graph' | 'Office 365 Exchange Online';
  permission: string;
  why: string;
  /** Needed only when a requester or approver group is configured. */
  onlyWithGroups?: boolean;
}

export const REQUIRED_PERMISSIONS: readonly PermissionNeed[] = [
  {
    api: 'Microsoft Graph',
    permission: 'User.ReadWrite.All',
    why: 'create the service account, set its password policy and password, find the approver',
  },
  {
    api: 'Microsoft Graph',
    permission: 'RoleManagement.ReadWrite.Directory',
    why: 'assign Global Administrator, lower it to the downgrade role, check who is an admin',
  },
  { api: 'Microsoft Graph', permission: 'Domain.Read.All', why: 'offer only verified, managed domains' },
  {
    api: 'Microsoft Graph',
    permission: 'Organization.Read.All',
    why: 'read licence seats (subscribed SKUs) and the tenant id',
  },
  {
    api: 'Microsoft Graph',
    permission: 'Policy.Read.All',
    why: 'read security defaults and Conditional Access policies that would force MFA',
  },
  {
    api: 'Microsoft Graph',
    permission: 'UserAuthenticationMethod.Read.All',
    why: 'read per-user MFA of an existing account before adopting it',
  },
  {
    api: 'Microsoft Graph',
    permission: 'Application.Read.All',
    why: 'check that the sync product’s app has an enabled service principal before granting it Exchange roles',
  },
  {
    api: 'Microsoft Graph',
    permission: 'GroupMember.Read.All',
    why: 'check membership of the requester and approver groups',
    onlyWithGroups: true,
  },
  {
    api: 'Office 365 Exchange Online',
    permission: 'Exchange.ManageAsApp',
    why: 'run the Exchange cmdlets (role group, public folder permission, app role assignments, replication check); the app also needs the Exchange Administrator role',
  },
];

export interface PermissionReport {
  missing: PermissionNeed[];
  /** Granted but not needed, e.g. `Microsoft Graph: Directory.ReadWrite.All`. */
  extra: string[];
  /** One line an admin can read. */
  summary: string;
}

export function checkPermissions(
  granted: { graph: readonly string[]; exchange: readonly string[] },
  options: { groupsConfigured: boolean },
): PermissionReport {
  const needs = REQUIRED_PERMISSIONS.filter(
    (need) => options.groupsConfigured || need.onlyWithGroups !== true,
  );
  const has = (need: PermissionNeed) =>
    (need.api === 'Microsoft Graph' ? granted.graph : granted.exchange).some(
      (role) => role.toLowerCase() === need.permission.toLowerCase(),
    );
  const missing = needs.filter((need) => !has(need));
  const known = (api: PermissionNeed['api'], role: string) =>
    REQUIRED_PERMISSIONS.some((n) => n.api === api && n.permission.toLowerCase() === role.toLowerCase());
  const extra = [
    ...granted.graph.filter((r) => !known('Microsoft Graph', r)).map((r) => `Microsoft Graph: ${r}`),
    ...granted.exchange
      .filter((r) => !known('Office 365 Exchange Online', r))
      .map((r) => `Office 365 Exchange Online: ${r}`),
  ];
  const summary =
    missing.length === 0
      ? `All ${needs.length} application permissions are granted${extra.length === 0 ? '' : `; ${extra.length} more than needed (${extra.join(', ')}) — consider removing them`}.`
      : `Missing application permissions: ${missing.map((m) => `${m.api}: ${m.permission} (to ${m.why})`).join('; ')}. Grant them with admin consent in Entra ID → App registrations → API permissions.`;
  return { missing, extra, summary };
}
