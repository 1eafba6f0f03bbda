/**
 * Judging a ready account's health from one reading of the directory and one of Exchange: each
 * condition CiraSync Enterprise needs, broken on its own, gives exactly its problem — and the fix only
 * where the bot can make it.
 */
import { evaluateHealth, type HealthExpectations, policyAsksForMfa } from '../../src/domain/accountHealth';
import type {
  ConditionalAccessPolicy,
  DirectoryAccountReading,
  ExchangeAccountReading,
} from '../../src/domain/tenant';
import { EXCHANGE_ONLINE_APP_ID, ROLE } from '../../src/domain/wellKnown';

const USER = '11111111-2222-4333-8444-555555555555';
const GROUP = '99999999-2222-4333-8444-555555555555';
const SKU = '4b9405b0-7788-4568-add1-99614e613b69';
const NOW = Date.parse('2026-12-03T10:00:00Z');
const DAY = 86_400_000;

function expectations(
  overrides: Partial<NonNullable<HealthExpectations['account']>> = {},
): HealthExpectations {
  return {
    now: NOW,
    account: {
      userId: USER,
      userPrincipalName: 'cirasync-svc@contoso.com',
      disabledOnPurpose: false,
      publicFolders: { skuId: SKU, skuName: 'Exchange Online (Plan 1)' },
      roleGroup: 'App Impersonation',
      downgradeRoleId: ROLE.serviceSupportAdministrator,
      globalAdminFlagMs: 7 * DAY,
      readyAt: NOW - DAY,
      ...overrides,
    },
  };
}

function healthyDirectory(): DirectoryAccountReading {
  return {
    user: {
      id: USER,
      userPrincipalName: 'cirasync-svc@contoso.com',
      accountEnabled: true,
      passwordPolicies: 'DisablePasswordExpiration',
      skuIds: [SKU],
    },
    groupIds: [],
    roleDefinitionIds: [ROLE.globalAdministrator],
    securityDefaultsEnabled: false,
    conditionalAccessPolicies: [],
    domain: {
      id: 'contoso.com',
      isVerified: true,
      isDefault: true,
      isInitial: false,
      authenticationType: 'Managed',
    },
    perUserMfaState: 'disabled',
  };
}

const HEALTHY_EXCHANGE: ExchangeAccountReading = {
  roleGroupMember: true,
  mailbox: true,
  publicFolderRights: ['Reviewer'],
};

function policy(overrides: Partial<ConditionalAccessPolicy>): ConditionalAccessPolicy {
  return {
    id: 'p1',
    displayName: 'Require MFA for all users',
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

const codes = (
  d: DirectoryAccountReading,
  e: ExchangeAccountReading = HEALTHY_EXCHANGE,
  x = expectations(),
) => evaluateHealth(x, d, e).map((p) => [p.code, p.fix ?? null]);

describe('the health of a ready service account', () => {
  it('when everything is as provisioning left it, then there is no problem', () => {
    expect(codes(healthyDirectory())).toEqual([]);
  });

  it.each([
    [
      'blocked from signing in',
      (d: DirectoryAccountReading) => void (d.user!.accountEnabled = false),
      ['accountDisabled', 'enableAccount'],
    ],
    [
      'password policy reset',
      (d: DirectoryAccountReading) => void (d.user!.passwordPolicies = ''),
      ['passwordExpires', 'restorePasswordPolicy'],
    ],
    [
      'security defaults on',
      (d: DirectoryAccountReading) => void (d.securityDefaultsEnabled = true),
      ['securityDefaults', null],
    ],
    [
      'per-user MFA enforced',
      (d: DirectoryAccountReading) => void (d.perUserMfaState = 'enforced'),
      ['perUserMfa', null],
    ],
    [
      'per-user MFA enabled',
      (d: DirectoryAccountReading) => void (d.perUserMfaState = 'enabled'),
      ['perUserMfa', null],
    ],
    [
      'domain federated',
      (d: DirectoryAccountReading) => void (d.domain!.authenticationType = 'Federated'),
      ['federatedDomain', null],
    ],
    [
      'licence removed',
      (d: DirectoryAccountReading) => void (d.user!.skuIds = []),
      ['licenceMissing', 'assignLicence'],
    ],
    [
      'a CA policy for all users',
      (d: DirectoryAccountReading) => void d.conditionalAccessPolicies.push(policy({})),
      ['conditionalAccess', null],
    ],
    [
      'downgraded and then lost every role',
      (d: DirectoryAccountReading) => void (d.roleDefinitionIds = []),
      ['noAdminRole', null],
    ],
  ])('when only "%s", then that is the one problem, with its fix if any', (_name, breakIt, expected) => {
    const directory = healthyDirectory();
    breakIt(directory);
    expect(codes(directory)).toEqual([expected]);
  });

  it('when Exchange no longer lists it in the role group, has no mailbox, or lost Reviewer, then each is its own problem', () => {
    expect(codes(healthyDirectory(), { ...HEALTHY_EXCHANGE, roleGroupMember: false })).toEqual([
      ['roleGroupMissing', 'addToRoleGroup'],
    ]);
    expect(codes(healthyDirectory(), { ...HEALTHY_EXCHANGE, mailbox: false })).toEqual([
      ['mailboxMissing', null],
    ]);
    expect(codes(healthyDirectory(), { ...HEALTHY_EXCHANGE, publicFolderRights: null })).toEqual([
      ['reviewerMissing', 'addReviewer'],
    ]);
    // A right that still reads every item (Author) is enough; one that does not (Contributor) is not.
    expect(codes(healthyDirectory(), { ...HEALTHY_EXCHANGE, publicFolderRights: ['Author'] })).toEqual([]);
    expect(codes(healthyDirectory(), { ...HEALTHY_EXCHANGE, publicFolderRights: ['Contributor'] })).toEqual([
      ['reviewerMissing', 'addReviewer'],
    ]);
  });

  it('when the licence is gone, then the missing mailbox is not a second problem (it follows the licence)', () => {
    const directory = healthyDirectory();
    directory.user!.skuIds = [];
    expect(codes(directory, { ...HEALTHY_EXCHANGE, mailbox: false })).toEqual([
      ['licenceMissing', 'assignLicence'],
    ]);
  });

  it('when public folders are not synced or the app replaces impersonation, then licence, mailbox, Reviewer and role group are not asked for', () => {
    const directory = healthyDirectory();
    directory.user!.skuIds = [];
    const x = expectations({ publicFolders: undefined, roleGroup: undefined });
    expect(codes(directory, {}, x)).toEqual([]);
  });

  it('when the account was disabled through the bot on purpose, then being blocked is not a problem', () => {
    const directory = healthyDirectory();
    directory.user!.accountEnabled = false;
    expect(codes(directory, HEALTHY_EXCHANGE, expectations({ disabledOnPurpose: true }))).toEqual([]);
  });

  it('when it is still a Global Administrator after the flag time, then that is a problem fixed by Downgrade role; downgraded, it is not', () => {
    const late = expectations({ readyAt: NOW - 8 * DAY });
    const [problem] = evaluateHealth(late, healthyDirectory(), HEALTHY_EXCHANGE);
    expect(problem).toMatchObject({ code: 'globalAdminTooLong', fix: 'downgrade' });
    expect(problem.title).toBe('Still a Global Administrator 8 days after it was ready');
    const downgraded = healthyDirectory();
    downgraded.roleDefinitionIds = [ROLE.serviceSupportAdministrator];
    expect(codes(downgraded, HEALTHY_EXCHANGE, late)).toEqual([]);
    expect(
      codes(
        healthyDirectory(),
        HEALTHY_EXCHANGE,
        expectations({ readyAt: NOW - 8 * DAY, globalAdminFlagMs: undefined }),
      ),
    ).toEqual([]);
  });

  it('when the user is gone from the directory, then that is the only problem and there is nothing to fix', () => {
    const directory = { ...healthyDirectory(), user: undefined };
    expect(codes(directory)).toEqual([['accountMissing', null]]);
  });

  it('when an app grant lost a role or its scope, then the app is reported with the roles it lost', () => {
    const app = {
      requestId: 'abcdef12-0000-4000-8000-000000000000',
      appId: '7e2d1c4b-0000-4000-8000-000000000001',
      servicePrincipalId: 'sp',
      displayName: 'CiraSync',
      roles: ['Application Contacts.ReadWrite', 'Application Calendars.Read'],
      scope: { kind: 'group' as const, group: 'Sales' },
    };
    const x: HealthExpectations = { now: NOW, app };
    const scope = 'CiraSync scope abcdef12';
    expect(evaluateHealth(x, undefined, { appRoles: app.roles.map((role) => ({ role, scope })) })).toEqual(
      [],
    );
    const [lost] = evaluateHealth(x, undefined, {
      appRoles: [{ role: 'Application Contacts.ReadWrite', scope }, { role: 'Application Calendars.Read' }],
    });
    expect(lost).toMatchObject({ code: 'appRolesMissing', fix: 'restoreAppRoles' });
    expect(lost.title).toBe('CiraSync lost Application Calendars.Read in Exchange Online');
  });
});

describe('which Conditional Access policy asks the account for MFA', () => {
  const reading = { ...healthyDirectory(), groupIds: [GROUP] };
  it.each([
    ['enabled, all users, all apps', {}, true],
    ['report-only', { state: 'enabledForReportingButNotEnforced' }, false],
    ['disabled', { state: 'disabled' }, false],
    ['no MFA in its grant', { requiresMfa: false }, false],
    ['the account excluded by id', { excludeUsers: [USER] }, false],
    ['the account excluded through a group it is in', { excludeGroups: [GROUP] }, false],
    ['Global Administrators excluded', { excludeRoles: [ROLE.globalAdministrator] }, false],
    ['only for its group', { includeUsers: [], includeGroups: [GROUP] }, true],
    ['only for Global Administrators', { includeUsers: [], includeRoles: [ROLE.globalAdministrator] }, true],
    ['only for another user', { includeUsers: ['00000000-0000-0000-0000-000000000001'] }, false],
    ['only for Exchange Online', { includeApplications: [EXCHANGE_ONLINE_APP_ID] }, true],
    ['only for another app', { includeApplications: ['00000003-0000-0ff1-ce00-000000000000'] }, false],
  ])('when the policy is %s (%j), then it asks for MFA: %s', (_name, overrides, asks) => {
    expect(policyAsksForMfa(policy(overrides as Partial<ConditionalAccessPolicy>), reading)).toBe(asks);
  });
});
