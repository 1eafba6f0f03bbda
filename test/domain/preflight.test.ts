import { evaluatePreflight } from '../../src/domain/preflight';
import type { ConditionalAccessPolicy, DirectoryOverview, ExchangeOverview } from '../../src/domain/tenant';
import { ROLE } from '../../src/domain/wellKnown';

const GOOD_DIRECTORY: DirectoryOverview = {
  domains: [
    {
      id: 'contoso.onmicrosoft.com',
      isVerified: true,
      isDefault: false,
      isInitial: true,
      authenticationType: 'Managed',
    },
    { id: 'contoso.com', isVerified: true, isDefault: true, isInitial: false, authenticationType: 'Managed' },
    {
      id: 'fabrikam.com',
      isVerified: true,
      isDefault: false,
      isInitial: false,
      authenticationType: 'Federated',
    },
    {
      id: 'pending.example',
      isVerified: false,
      isDefault: false,
      isInitial: false,
      authenticationType: 'Managed',
    },
  ],
  skus: [
    {
      skuId: 'sku-e2',
      skuPartNumber: 'EXCHANGEENTERPRISE',
      enabledUnits: 10,
      consumedUnits: 9,
      capabilityStatus: 'Enabled',
    },
    {
      skuId: 'sku-f1',
      skuPartNumber: 'M365_F1',
      enabledUnits: 50,
      consumedUnits: 1,
      capabilityStatus: 'Enabled',
    },
  ],
  securityDefaultsEnabled: false,
  conditionalAccessPolicies: [],
  globalAdminPrincipalIds: ['a', 'b'],
};
const GOOD_EXCHANGE: ExchangeOverview = { impersonationRoleExists: true };

function policy(overrides: Partial<ConditionalAccessPolicy>): ConditionalAccessPolicy {
  return {
    id: 'p1',
    displayName: 'Require MFA for everyone',
    state: 'enabled',
    includeUsers: ['All'],
    excludeUsers: [],
    includeGroups: [],
    excludeGroups: [],
    includeRoles: [],
    excludeRoles: [],
    includeApplications: ['All'],
    requiresMfa: true,
    ...overrides,
  };
}

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe('pre-flight rules', () => {
  it('when the tenant is ready, then there are no blockers and only managed verified domains are offered, custom first', () => {
    const report = evaluatePreflight(GOOD_DIRECTORY, GOOD_EXCHANGE, { publicFolders: true });
    expect(report.blockers).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.managedDomains).toEqual(['contoso.com', 'contoso.onmicrosoft.com']);
    expect(report.defaultDomain).toBe('contoso.com');
    expect(report.mailboxSkus).toEqual([
      {
        skuId: 'sku-e2',
        skuPartNumber: 'EXCHANGEENTERPRISE',
        name: 'Exchange Online (Plan 2)',
        freeSeats: 1,
      },
    ]);
  });

  it('when ApplicationImpersonation is retired, then it blocks and says what Microsoft changed and when', () => {
    const report = evaluatePreflight(GOOD_DIRECTORY, { impersonationRoleExists: false });
    expect(codes(report.blockers)).toEqual(['impersonationRetired']);
    expect(report.blockers[0].problem).toMatch(/September 2024/);
    expect(report.blockers[0].problem).toMatch(/February 2025/);
    expect(report.blockers[0].fix).toMatch(/RBAC for Applications/);
  });

  it('when security defaults are on, then it blocks with the way to turn them off', () => {
    const report = evaluatePreflight({ ...GOOD_DIRECTORY, securityDefaultsEnabled: true }, GOOD_EXCHANGE);
    expect(codes(report.blockers)).toEqual(['securityDefaultsOn']);
    expect(report.blockers[0].fix).toMatch(/Manage security defaults/);
  });

  it.each<[string, Partial<ConditionalAccessPolicy>, string | undefined]>([
    ['all users, all apps, enforced', {}, 'blocker'],
    [
      'Global Administrators by role',
      { includeUsers: [], includeRoles: [ROLE.globalAdministrator] },
      'blocker',
    ],
    ['Office 365 only', { includeApplications: ['Office365'] }, 'blocker'],
    ['an authentication strength grant', { requiresMfa: true }, 'blocker'],
    ['report-only', { state: 'enabledForReportingButNotEnforced' }, 'warning'],
    ['disabled', { state: 'disabled' }, undefined],
    ['with an exclusion group', { excludeGroups: ['g1'] }, 'warning'],
    ['excluding the Global Administrator role', { excludeRoles: [ROLE.globalAdministrator] }, undefined],
    ['a group only', { includeUsers: [], includeGroups: ['g2'] }, undefined],
    ['a block grant without MFA', { requiresMfa: false }, undefined],
    ['SharePoint only', { includeApplications: ['00000003-0000-0ff1-ce00-000000000000'] }, undefined],
  ])('when a Conditional Access policy targets %s, then it is a %s', (_name, overrides, expected) => {
    const report = evaluatePreflight(
      { ...GOOD_DIRECTORY, conditionalAccessPolicies: [policy(overrides)] },
      GOOD_EXCHANGE,
    );
    const found = [...report.blockers.map(() => 'blocker'), ...report.warnings.map(() => 'warning')];
    expect(found).toEqual(expected === undefined ? [] : [expected]);
    if (expected !== undefined)
      expect([...report.blockers, ...report.warnings][0].problem).toContain('Require MFA for everyone');
  });

  it('when only federated custom domains exist, then the initial domain is offered with a warning', () => {
    const directory = {
      ...GOOD_DIRECTORY,
      domains: GOOD_DIRECTORY.domains.map((d) =>
        d.id === 'contoso.com' ? { ...d, authenticationType: 'Federated' } : d,
      ),
    };
    const report = evaluatePreflight(directory, GOOD_EXCHANGE);
    expect(report.blockers).toEqual([]);
    expect(codes(report.warnings)).toEqual(['onlyInitialDomain']);
    expect(report.managedDomains).toEqual(['contoso.onmicrosoft.com']);
  });

  it('when no verified domain is managed, then it blocks', () => {
    const directory = {
      ...GOOD_DIRECTORY,
      domains: GOOD_DIRECTORY.domains.map((d) => ({ ...d, authenticationType: 'Federated' })),
    };
    expect(codes(evaluatePreflight(directory, GOOD_EXCHANGE).blockers)).toEqual(['noManagedDomain']);
  });

  it('when no mailbox seat is free, then public folders are blocked, or only warned about while undecided', () => {
    const directory = {
      ...GOOD_DIRECTORY,
      skus: GOOD_DIRECTORY.skus.map((s) => ({ ...s, consumedUnits: s.enabledUnits })),
    };
    expect(codes(evaluatePreflight(directory, GOOD_EXCHANGE, { publicFolders: true }).blockers)).toEqual([
      'noMailboxSeats',
    ]);
    expect(codes(evaluatePreflight(directory, GOOD_EXCHANGE).warnings)).toEqual(['noMailboxSeats']);
    expect(evaluatePreflight(directory, GOOD_EXCHANGE, { publicFolders: false }).warnings).toEqual([]);
  });

  it('when the chosen licence has no seat but another has, then the chosen one is what counts', () => {
    const directory = {
      ...GOOD_DIRECTORY,
      skus: [
        ...GOOD_DIRECTORY.skus,
        {
          skuId: 'sku-k',
          skuPartNumber: 'EXCHANGEDESKLESS',
          enabledUnits: 5,
          consumedUnits: 5,
          capabilityStatus: 'Enabled',
        },
      ],
    };
    expect(
      codes(evaluatePreflight(directory, GOOD_EXCHANGE, { publicFolders: true, skuId: 'sku-k' }).blockers),
    ).toEqual(['noMailboxSeats']);
    expect(
      evaluatePreflight(directory, GOOD_EXCHANGE, { publicFolders: true, skuId: 'sku-e2' }).blockers,
    ).toEqual([]);
  });

  it('when the tenant already has four Global Administrators, then adding a fifth is warned about', () => {
    const report = evaluatePreflight(
      { ...GOOD_DIRECTORY, globalAdminPrincipalIds: ['a', 'b', 'c', 'd'] },
      GOOD_EXCHANGE,
    );
    expect(codes(report.warnings)).toEqual(['manyGlobalAdmins']);
    expect(report.warnings[0].problem).toMatch(
      /4 Global Administrators; with the service account it will have 5/,
    );
    expect(
      evaluatePreflight({ ...GOOD_DIRECTORY, globalAdminPrincipalIds: ['a', 'b', 'c'] }, GOOD_EXCHANGE)
        .warnings,
    ).toEqual([]);
  });

  it('when the App Impersonation role group exists, then it is fine and says the account will be added', () => {
    const report = evaluatePreflight(GOOD_DIRECTORY, {
      impersonationRoleExists: true,
      impersonationGroup: { name: 'App Impersonation', roles: ['ApplicationImpersonation'], members: ['x'] },
    });
    expect(report.blockers).toEqual([]);
    expect(codes(report.warnings)).toEqual(['impersonationGroupExists']);
    expect(report.warnings[0].fix).toMatch(/will be added/);
  });
  it('when the account is made beside an app grant (no impersonation), then neither impersonation finding is raised, and the account’s own checks still are', () => {
    const retired = evaluatePreflight(
      GOOD_DIRECTORY,
      { impersonationRoleExists: false },
      { impersonation: false },
    );
    expect(retired.blockers).toEqual([]);
    const grouped = evaluatePreflight(
      { ...GOOD_DIRECTORY, securityDefaultsEnabled: true },
      {
        impersonationRoleExists: true,
        impersonationGroup: { name: 'App Impersonation', roles: ['ApplicationImpersonation'], members: [] },
      },
      { impersonation: false },
    );
    expect(codes([...grouped.blockers, ...grouped.warnings])).not.toContain('impersonationGroupExists');
    expect(codes([...grouped.blockers, ...grouped.warnings])).toContain('securityDefaultsOn');
  });
});
