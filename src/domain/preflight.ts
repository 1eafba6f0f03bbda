/**
 * Pre-flight: everything that would stop the service account from working, found before anything is
 * written. Each finding says what is wrong and how to fix it, in plain words.
 */
import type { Directory, Exchange } from './ports';
import { count, literal } from './words';
import type {
  ConditionalAccessPolicy,
  DirectoryOverview,
  ExchangeOverview,
  SubscribedSku,
  TenantDomain,
} from './tenant';
import {
  EXCHANGE_ONLINE_APP_ID,
  GLOBAL_ADMIN_ADVISED_MAXIMUM,
  IMPERSONATION_ROLE,
  IMPERSONATION_ROLE_GROUP,
  MAILBOX_SKU_NAMES,
  MAILBOX_SKU_PART_NUMBERS,
  ROLE,
} from './wellKnown';

export type FindingCode =
  | 'noManagedDomain'
  | 'onlyInitialDomain'
  | 'securityDefaultsOn'
  | 'conditionalAccessMfa'
  | 'conditionalAccessMfaExclusionGroup'
  | 'conditionalAccessReportOnly'
  | 'noMailboxSeats'
  | 'impersonationRetired'
  | 'manyGlobalAdmins'
  | 'impersonationGroupExists';

/** Each finding in a few plain words, for the approval card's "Acknowledged" lines. */
export const FINDING_LABELS: Readonly<Record<FindingCode, string>> = {
  noManagedDomain: 'No verified, managed domain',
  onlyInitialDomain: 'Only the .onmicrosoft.com domain',
  securityDefaultsOn: 'Security defaults are on (MFA for admins)',
  conditionalAccessMfa: 'A Conditional Access policy requires MFA',
  conditionalAccessMfaExclusionGroup: 'A Conditional Access policy requires MFA, with an exclusion group',
  conditionalAccessReportOnly: 'A Conditional Access policy in report-only mode would require MFA',
  noMailboxSeats: 'No free mailbox licence',
  impersonationRetired: 'ApplicationImpersonation is gone from Exchange Online',
  manyGlobalAdmins: 'Many Global Administrators already',
  impersonationGroupExists: 'The "App Impersonation" role group already exists',
};

export interface Finding {
  code: FindingCode;
  /** What is wrong, in plain words. */
  problem: string;
  /** What the admin does about it. */
  fix: string;
}

export interface MailboxSkuOption {
  skuId: string;
  skuPartNumber: string;
  name: string;
  freeSeats: number;
}

export interface PreflightReport {
  blockers: Finding[];
  warnings: Finding[];
  /** Verified, managed domains the account's UPN may use (never a federated one). */
  managedDomains: string[];
  defaultDomain?: string;
  mailboxSkus: MailboxSkuOption[];
  globalAdminCount: number;
}

export interface PreflightOptions {
  /** When true, a mailbox licence seat is required (public folders); unknown = only warn. */
  publicFolders?: boolean;
  /** The licence chosen for public folders, if any. */
  skuId?: string;
  /**
   * False when the account is made beside an app grant, without the "App Impersonation" role group:
   * the role's absence and the group's presence no longer matter. Unset means true.
   */
  impersonation?: boolean;
}

/** The findings about ApplicationImpersonation; every other finding is about the account itself. */
export const IMPERSONATION_FINDINGS: readonly FindingCode[] = [
  'impersonationRetired',
  'impersonationGroupExists',
];

/** Whether a finding concerns the service account (a user that signs in), not impersonation. */
export function aboutAccount(finding: Pick<Finding, 'code'>): boolean {
  return !IMPERSONATION_FINDINGS.includes(finding.code);
}

const OFFICE_APP_TARGETS = new Set(['All', 'Office365', EXCHANGE_ONLINE_APP_ID]);

export function mailboxSkuOptions(skus: SubscribedSku[]): MailboxSkuOption[] {
  return skus
    .filter(
      (sku) => MAILBOX_SKU_PART_NUMBERS.includes(sku.skuPartNumber) && sku.capabilityStatus === 'Enabled',
    )
    .map((sku) => ({
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      name: MAILBOX_SKU_NAMES[sku.skuPartNumber] ?? sku.skuPartNumber,
      freeSeats: Math.max(0, sku.enabledUnits - sku.consumedUnits),
    }));
}

export function managedDomains(domains: TenantDomain[]): TenantDomain[] {
  return domains.filter((d) => d.isVerified && d.authenticationType === 'Managed');
}

/** Would this enforced policy demand MFA from a new Global Administrator signing in to Exchange? */
function coversServiceAccount(policy: ConditionalAccessPolicy): boolean {
  const users = policy.includeUsers.includes('All') || policy.includeRoles.includes(ROLE.globalAdministrator);
  const apps = policy.includeApplications.some((app) => OFFICE_APP_TARGETS.has(app));
  const roleExcluded = policy.excludeRoles.includes(ROLE.globalAdministrator);
  return policy.requiresMfa && users && apps && !roleExcluded;
}

export function evaluatePreflight(
  directory: DirectoryOverview,
  exchange: ExchangeOverview,
  options: PreflightOptions = {},
): PreflightReport {
  const blockers: Finding[] = [];
  const warnings: Finding[] = [];

  const managed = managedDomains(directory.domains);
  const custom = managed.filter((d) => !d.isInitial);
  if (managed.length === 0) {
    blockers.push({
      code: 'noManagedDomain',
      problem:
        'The tenant has no verified domain with managed authentication, so the account would have to sign in through a federated identity provider (single sign-on), which CiraSync cannot use.',
      fix: 'Verify a domain and keep it managed (not federated) in the Microsoft 365 admin center under Settings → Domains, then run the check again.',
    });
  } else if (custom.length === 0) {
    const initial = managed.find((d) => d.isInitial)?.id ?? managed[0].id;
    warnings.push({
      code: 'onlyInitialDomain',
      problem: `Your custom domains are federated (single sign-on), so the account can only use the initial domain ${initial}.`,
      fix: `Nothing to do: the account will be created as …@${initial}. To use your own domain instead, add a managed (not federated) verified domain.`,
    });
  }

  if (directory.securityDefaultsEnabled) {
    blockers.push({
      code: 'securityDefaultsOn',
      problem:
        'Security defaults are on: they require multi-factor authentication for every administrator, and the service account must sign in without MFA.',
      fix: 'In the Microsoft Entra admin center, go to Identity → Overview → Properties → Manage security defaults and turn them off, then protect your administrators with Conditional Access policies that exclude the service account.',
    });
  }

  for (const policy of directory.conditionalAccessPolicies) {
    if (!coversServiceAccount(policy)) continue;
    if (policy.state === 'enabled' && policy.excludeGroups.length > 0) {
      warnings.push({
        code: 'conditionalAccessMfaExclusionGroup',
        problem: `Conditional Access policy "${literal(policy.displayName)}" requires MFA for all users or Global Administrators; it excludes ${count(policy.excludeGroups.length, 'group')}.`,
        fix: `Add the service account to one of the groups that "${literal(policy.displayName)}" excludes right after it is created, before CiraSync first signs in.`,
      });
    } else if (policy.state === 'enabled') {
      blockers.push({
        code: 'conditionalAccessMfa',
        problem: `Conditional Access policy "${literal(policy.displayName)}" requires MFA for all users or Global Administrators, so it would apply to the service account.`,
        fix: `In the Microsoft Entra admin center, go to Protection → Conditional Access → "${literal(policy.displayName)}" and exclude a group (for example "CiraSync service accounts") that the account will be put in, then run the check again.`,
      });
    } else if (policy.state === 'enabledForReportingButNotEnforced') {
      warnings.push({
        code: 'conditionalAccessReportOnly',
        problem: `Conditional Access policy "${literal(policy.displayName)}" is in report-only mode and would require MFA from the service account once it is turned on.`,
        fix: `Exclude the service account from "${literal(policy.displayName)}" before you turn the policy on.`,
      });
    }
  }

  const mailboxSkus = mailboxSkuOptions(directory.skus);
  const chosen =
    options.skuId === undefined ? mailboxSkus : mailboxSkus.filter((s) => s.skuId === options.skuId);
  if (options.publicFolders !== false && chosen.every((s) => s.freeSeats === 0)) {
    const finding: Finding = {
      code: 'noMailboxSeats',
      problem:
        mailboxSkus.length === 0
          ? 'The tenant has no licence that includes an Exchange Online mailbox (Exchange Online Kiosk, Plan 1, Plan 2, Microsoft 365 F1 or F3), which public-folder sync needs.'
          : `No free seat of ${options.skuId === undefined ? 'any mailbox licence' : (chosen[0]?.name ?? 'the chosen licence')}: public-folder sync needs one for the service account.`,
      fix: 'Buy a seat or free one (remove the licence from a user who no longer needs it) in the Microsoft 365 admin center under Billing → Licenses, or go on without public folders.',
    };
    (options.publicFolders === true ? blockers : warnings).push(finding);
  }

  const impersonation = options.impersonation !== false;
  if (impersonation && !exchange.impersonationRoleExists) {
    blockers.push({
      code: 'impersonationRetired',
      problem: `Exchange Online no longer offers the ${IMPERSONATION_ROLE} role in this tenant. Microsoft blocked new assignments of it from September 2024 and began removing it from February 2025 (message center MC718754), so the account cannot be given impersonation rights.`,
      fix: 'Use RBAC for Applications instead: it grants mailbox access to an app registration (New-ServicePrincipal, then New-ManagementRoleAssignment -App … -Role "Application …", optionally with a -CustomResourceScope), not to a user. Ask CiraSync which application roles the product needs. Exchange Server on-premises still has the role.',
    });
  }

  const globalAdminCount = directory.globalAdminPrincipalIds.length;
  if (globalAdminCount + 1 > GLOBAL_ADMIN_ADVISED_MAXIMUM) {
    warnings.push({
      code: 'manyGlobalAdmins',
      problem: `The tenant already has ${globalAdminCount} Global Administrators; with the service account it will have ${globalAdminCount + 1}. Microsoft recommends fewer than five.`,
      fix: 'After CiraSync has signed in for the first time, downgrade the service account to a lesser role (the bot offers this), and review who else needs Global Administrator.',
    });
  }

  if (impersonation && exchange.impersonationGroup !== undefined) {
    warnings.push({
      code: 'impersonationGroupExists',
      problem: `The Exchange role group "${IMPERSONATION_ROLE_GROUP}" already exists (${count(exchange.impersonationGroup.members.length, 'member')}).`,
      fix: 'Nothing to do: the service account will be added to it.',
    });
  }

  const defaultDomain = custom.find((d) => d.isDefault)?.id ?? custom[0]?.id ?? managed[0]?.id;
  return {
    blockers,
    warnings,
    managedDomains: [...custom, ...managed.filter((d) => d.isInitial)].map((d) => d.id),
    defaultDomain,
    mailboxSkus,
    globalAdminCount,
  };
}

/** Reads the tenant (one Graph batch, two Exchange calls, in parallel) and evaluates it. */
export async function runPreflight(
  ports: { directory: Directory; exchange: Exchange },
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const [directory, exchange] = await Promise.all([
    ports.directory.readOverview(),
    ports.exchange.readOverview(),
  ]);
  return evaluatePreflight(directory, exchange, options);
}
