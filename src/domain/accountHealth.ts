/**
 * Whether a ready service account still meets what CiraSync Enterprise needs, from one reading of the
 * directory and one of Exchange (`DirectoryAccountReading`, `ExchangeAccountReading`): each problem with
 * why it breaks sync and, where the bot can repair it, the fix. Pure: the health watch
 * (src/useCases/checkHealth.ts) reads, this judges.
 */
import { type AppAccessSpec, managementScopeName, recipientFilter } from './appAccess';
import type { ConditionalAccessPolicy, DirectoryAccountReading, ExchangeAccountReading } from './tenant';
import { EXCHANGE_ONLINE_APP_ID, ROLE, ROLE_NAMES } from './wellKnown';
import { literal } from './words';

export type HealthCode =
  | 'accountMissing'
  | 'accountDisabled'
  | 'passwordExpires'
  | 'securityDefaults'
  | 'conditionalAccess'
  | 'perUserMfa'
  | 'federatedDomain'
  | 'licenceMissing'
  | 'mailboxMissing'
  | 'reviewerMissing'
  | 'roleGroupMissing'
  | 'appRolesMissing'
  | 'noAdminRole'
  | 'globalAdminTooLong';

/** What the bot can repair by itself, each through one press (or two, when it grants privilege). */
export type HealthFix =
  | 'enableAccount'
  | 'restorePasswordPolicy'
  | 'assignLicence'
  | 'addReviewer'
  | 'addToRoleGroup'
  | 'restoreAppRoles'
  | 'downgrade';

/**
 * Fixes that give the account (or the app) a right back: like the first grant, a second admin must
 * approve them — never the owner who asked for the fix.
 */
export const FIX_GRANTS_PRIVILEGE: Readonly<Record<HealthFix, boolean>> = {
  enableAccount: true,
  restorePasswordPolicy: false,
  assignLicence: false,
  addReviewer: true,
  addToRoleGroup: true,
  restoreAppRoles: true,
  downgrade: false,
};

/** What a Fix button says it will do. */
export const FIX_TITLES: Readonly<Record<HealthFix, string>> = {
  enableAccount: 'Enable the account',
  restorePasswordPolicy: 'Set the password to never expire',
  assignLicence: 'Assign the licence again',
  addReviewer: 'Give Reviewer on the public folders again',
  addToRoleGroup: 'Add it to the role group again',
  restoreAppRoles: 'Grant the app its roles again',
  downgrade: 'Downgrade role',
};

export interface HealthProblem {
  code: HealthCode;
  /** What is wrong, in a line. */
  title: string;
  /** Why it breaks sync, and what to do when the bot cannot fix it. */
  why: string;
  fix?: HealthFix;
}

/** What the account should be, from its request. */
export interface HealthExpectations {
  /** The account (undefined for a request that grants only the app). */
  account?: {
    userId: string;
    userPrincipalName: string;
    /** It was disabled through the bot on purpose (not a problem while so). */
    disabledOnPurpose: boolean;
    /** Public folders are synced: the licence (and its mailbox) and Reviewer are needed. */
    publicFolders?: { skuId: string; skuName: string };
    /** The role group it must stay in (classic impersonation). */
    roleGroup?: string;
    /** The role it gets when downgraded. */
    downgradeRoleId: string;
    /** Flag Global Administrator held for longer than this after "ready"; undefined = never. */
    globalAdminFlagMs?: number;
    readyAt?: number;
  };
  app?: AppAccessSpec;
  now: number;
}

/** Where the public-folder permission is given: the root, as provisioning gives it. */
export const PUBLIC_FOLDER_ROOT = '\\';

/** Rights that include reading every item, as Reviewer does. */
const READING_RIGHTS = new Set([
  'reviewer',
  'readitems',
  'author',
  'publishingauthor',
  'editor',
  'publishingeditor',
  'owner',
  'noneditingauthor',
]);

const OFFICE_APPS = new Set(['All', 'Office365', EXCHANGE_ONLINE_APP_ID]);

/** Would this policy ask the account for MFA when it signs in to Exchange now? */
export function policyAsksForMfa(policy: ConditionalAccessPolicy, reading: DirectoryAccountReading): boolean {
  if (policy.state !== 'enabled' || !policy.requiresMfa) return false;
  const user = reading.user?.id.toLowerCase() ?? '';
  const groups = new Set(reading.groupIds.map((id) => id.toLowerCase()));
  const roles = new Set(reading.roleDefinitionIds.map((id) => id.toLowerCase()));
  const has = (list: string[], set: Set<string>) => list.some((id) => set.has(id.toLowerCase()));
  const included =
    policy.includeUsers.includes('All') ||
    policy.includeUsers.some((id) => id.toLowerCase() === user) ||
    has(policy.includeGroups, groups) ||
    has(policy.includeRoles, roles);
  const excluded =
    policy.excludeUsers.some((id) => id.toLowerCase() === user) ||
    has(policy.excludeGroups, groups) ||
    has(policy.excludeRoles, roles);
  const apps = policy.includeApplications.some((app) => OFFICE_APPS.has(app));
  return included && !excluded && apps;
}

function days(ms: number): string {
  const value = Math.floor(ms / 86_400_000);
  if (value >= 1) return value === 1 ? '1 day' : `${value} days`;
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function accountProblems(
  expected: NonNullable<HealthExpectations['account']>,
  directory: DirectoryAccountReading,
  exchange: ExchangeAccountReading,
  now: number,
): HealthProblem[] {
  const upn = expected.userPrincipalName;
  const user = directory.user;
  if (user === undefined) {
    return [
      {
        code: 'accountMissing',
        title: `${upn} is no longer in the directory`,
        why: 'Someone deleted it, so CiraSync Enterprise cannot sign in at all. A deleted user can be restored from Deleted users in the Microsoft 365 admin center for 30 days; after that, ask for a new service account.',
      },
    ];
  }
  const problems: HealthProblem[] = [];
  if (!user.accountEnabled && !expected.disabledOnPurpose) {
    problems.push({
      code: 'accountDisabled',
      title: 'The account is blocked from signing in',
      why: 'Someone turned off its sign-in, so CiraSync Enterprise cannot connect and sync stops.',
      fix: 'enableAccount',
    });
  }
  if (!user.passwordPolicies.split(',').some((p) => p.trim().toLowerCase() === 'disablepasswordexpiration')) {
    problems.push({
      code: 'passwordExpires',
      title: 'Its password can expire again',
      why: 'Its password policy no longer says "never expires": when the password expires, CiraSync Enterprise is locked out and sync stops without warning.',
      fix: 'restorePasswordPolicy',
    });
  }
  if (directory.securityDefaultsEnabled) {
    problems.push({
      code: 'securityDefaults',
      title: 'Security defaults are on',
      why: 'Security defaults ask every administrator for multifactor authentication, and CiraSync Enterprise cannot answer it. Turn them off in Microsoft Entra ID (Properties → Manage security defaults) and protect the tenant with Conditional Access that excludes this account instead.',
    });
  }
  const asking = directory.conditionalAccessPolicies.filter((policy) => policyAsksForMfa(policy, directory));
  if (asking.length > 0) {
    problems.push({
      code: 'conditionalAccess',
      title: `Conditional Access asks it for MFA (${asking.map((p) => `"${literal(p.displayName)}"`).join(', ')})`,
      why: `CiraSync Enterprise cannot answer multifactor authentication. Exclude ${upn} from ${asking.length === 1 ? 'that policy' : 'those policies'} (Microsoft Entra ID → Conditional Access → the policy → Users → Exclude).`,
    });
  }
  if (directory.perUserMfaState === 'enabled' || directory.perUserMfaState === 'enforced') {
    problems.push({
      code: 'perUserMfa',
      title: 'Per-user MFA is turned on for it',
      why: `CiraSync Enterprise cannot answer multifactor authentication. Turn per-user MFA off for ${upn} (Microsoft Entra ID → Users → Per-user MFA).`,
    });
  }
  if (directory.domain !== undefined && directory.domain.authenticationType !== 'Managed') {
    problems.push({
      code: 'federatedDomain',
      title: `Its domain ${directory.domain.id} is now federated`,
      why: 'Sign-in for that domain goes to another identity provider, which CiraSync Enterprise cannot use. Ask for a new service account on a managed domain, such as the initial onmicrosoft.com one.',
    });
  }
  const folders = expected.publicFolders;
  if (folders !== undefined) {
    const licensed = user.skuIds.some((id) => id.toLowerCase() === folders.skuId.toLowerCase());
    if (!licensed) {
      problems.push({
        code: 'licenceMissing',
        title: `Its ${folders.skuName} licence was removed`,
        why: 'Without the licence it has no mailbox, and CiraSync Enterprise needs one to sync public folders.',
        fix: 'assignLicence',
      });
    } else if (exchange.mailbox === false) {
      problems.push({
        code: 'mailboxMissing',
        title: 'It has no mailbox',
        why: 'It holds the licence, but Exchange Online shows no mailbox for it; CiraSync Enterprise needs one to sync public folders. A mailbox appears within minutes of a licence: if this stays, check the licence’s Exchange Online service plan is turned on.',
      });
    }
    const rights = exchange.publicFolderRights;
    if (rights !== undefined && !(rights ?? []).some((right) => READING_RIGHTS.has(right.toLowerCase()))) {
      problems.push({
        code: 'reviewerMissing',
        title: 'It can no longer read the public folders',
        why: 'Its Reviewer permission on the public folders is gone, so CiraSync Enterprise cannot sync them.',
        fix: 'addReviewer',
      });
    }
  }
  if (expected.roleGroup !== undefined && exchange.roleGroupMember === false) {
    problems.push({
      code: 'roleGroupMissing',
      title: `It is no longer in the "${expected.roleGroup}" role group`,
      why: 'Without ApplicationImpersonation from that group, CiraSync Enterprise cannot reach the mailboxes it syncs.',
      fix: 'addToRoleGroup',
    });
  }
  const roles = new Set(directory.roleDefinitionIds.map((id) => id.toLowerCase()));
  const isGlobalAdmin = roles.has(ROLE.globalAdministrator.toLowerCase());
  const downgradeRole = ROLE_NAMES[expected.downgradeRoleId] ?? 'the downgrade role';
  if (!isGlobalAdmin && !roles.has(expected.downgradeRoleId.toLowerCase())) {
    problems.push({
      code: 'noAdminRole',
      title: `It holds neither Global Administrator nor ${downgradeRole}`,
      why: `CiraSync Enterprise manages sync with this account's admin rights. Give it ${downgradeRole} again in Microsoft Entra ID → Roles and administrators (a second admin should check it).`,
    });
  }
  const flagMs = expected.globalAdminFlagMs;
  if (
    isGlobalAdmin &&
    flagMs !== undefined &&
    expected.readyAt !== undefined &&
    now - expected.readyAt >= flagMs
  ) {
    problems.push({
      code: 'globalAdminTooLong',
      title: `Still a Global Administrator ${days(now - expected.readyAt)} after it was ready`,
      why: `CiraSync Enterprise needs Global Administrator only until its first sign-in. An account that keeps it is a standing risk: lower it to ${downgradeRole}.`,
      fix: 'downgrade',
    });
  }
  return problems;
}

function appProblems(app: AppAccessSpec, exchange: ExchangeAccountReading): HealthProblem[] {
  const scope = recipientFilter(app.scope) === undefined ? '' : managementScopeName(app);
  const held = exchange.appRoles ?? [];
  const missing = app.roles.filter(
    (role) => !held.some((a) => a.role.toLowerCase() === role.toLowerCase() && (a.scope ?? '') === scope),
  );
  if (missing.length === 0) return [];
  return [
    {
      code: 'appRolesMissing',
      title: `${literal(app.displayName)} lost ${missing.join(', ')} in Exchange Online`,
      why: 'Without its application roles, the app cannot reach the mailboxes CiraSync Enterprise syncs.',
      fix: 'restoreAppRoles',
    },
  ];
}

/** Every problem the readings show, in the order an admin should look at them. */
export function evaluateHealth(
  expected: HealthExpectations,
  directory: DirectoryAccountReading | undefined,
  exchange: ExchangeAccountReading,
): HealthProblem[] {
  return [
    ...(expected.account === undefined || directory === undefined
      ? []
      : accountProblems(expected.account, directory, exchange, expected.now)),
    ...(expected.app === undefined ? [] : appProblems(expected.app, exchange)),
  ];
}
