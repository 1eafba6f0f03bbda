/** Fixed identifiers of Microsoft 365 that the rules refer to (docs/microsoft365.md). */

/** Directory role template ids (the same in every tenant). */
export const ROLE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  /** Shown as "Service Support Administrator"; the seed's "Service Administrator". */
  serviceSupportAdministrator: 'f023fd81-a637-4b56-95fd-791ac0226033',
} as const;

export const ROLE_NAMES: Readonly<Record<string, string>> = {
  [ROLE.globalAdministrator]: 'Global Administrator',
  [ROLE.privilegedRoleAdministrator]: 'Privileged Role Administrator',
  [ROLE.exchangeAdministrator]: 'Exchange Administrator',
  [ROLE.serviceSupportAdministrator]: 'Service Support Administrator',
};

/** SKU part numbers whose licence includes an Exchange Online mailbox. `M365_F1` has none. */
export const MAILBOX_SKU_PART_NUMBERS: readonly string[] = [
  'EXCHANGEDESKLESS',
  'EXCHANGESTANDARD',
  'EXCHANGEENTERPRISE',
  'SPE_F1',
  'M365_F1_COMM',
];

export const MAILBOX_SKU_NAMES: Readonly<Record<string, string>> = {
  EXCHANGEDESKLESS: 'Exchange Online Kiosk',
  EXCHANGESTANDARD: 'Exchange Online (Plan 1)',
  EXCHANGEENTERPRISE: 'Exchange Online (Plan 2)',
  SPE_F1: 'Microsoft 365 F3',
  M365_F1_COMM: 'Microsoft 365 F1',
};

export const IMPERSONATION_ROLE = 'ApplicationImpersonation';
export const IMPERSONATION_ROLE_GROUP = 'App Impersonation';

/** Public-folder root, as `Get-PublicFolderClientPermission -Identity` takes it. */
export const PUBLIC_FOLDER_ROOT = '\\';

/** Application ids that Conditional Access policies may target and that cover Exchange Online. */
export const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';

/** Microsoft's advice: fewer than five Global Administrators. */
export const GLOBAL_ADMIN_ADVISED_MAXIMUM = 4;

/**
 * Marker that ties a directory user to the request that created it, kept in the user's
 * `employeeType`: a UPN conflict is adopted only when the existing user carries this request's marker.
 */
export function creationMarker(requestId: string): string {
  return `service-account-bot:${requestId}`;
}
