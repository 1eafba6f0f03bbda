import type { SimulatorScenario } from '../scenarios';
import type { SimulatorClock } from '../clock';
import type { IdGenerator } from '../idGenerator';
import { APPLICATION_ROLES, CIRASYNC_SERVICE_PRINCIPAL, DISABLED_SERVICE_PRINCIPAL } from './appRbacCatalog';
import { APPLICATION_IMPERSONATION, EXCHANGE_ROLES, ROLE_DEFINITIONS } from './roleCatalog';
import { conditionalAccessPolicies, PEOPLE, SEATS } from './seedData';
import { SKUS } from './skuCatalog';
import { TenantState, type SimulatorDelays } from './tenantState';
import { createUserRecord, roleAssignmentId } from './userRecord';

/** Extra seed data a test may ask for. */
export interface SimulatorSeed {
  /** The tenant's `*.onmicrosoft.com` domain (default: the tenant id when it is one, else `contoso.onmicrosoft.com`). */
  initialDomain?: string;
  /** Shown as the organisation's name (default `Contoso (simulated)`). */
  organizationName?: string;
  /** Seed for the ids of objects the simulator creates (default: the tenant id). */
  idSeed?: string;
}

/** A seeded security group (Isaiah Langer is its member), for a configured requester group. */
export const REQUESTERS_GROUP_ID = 'c5a1e9d2-7b3f-4e8a-9c6d-2f1b0a9e8d7c';
/** A security group of admins who may decide requests in an approvals channel: Alex and Adele. */
export const APPROVERS_GROUP_ID = '0f1e2d3c-4b5a-4697-8877-665544332211';

/** The domain the seeded people use (verified, managed except in `federated-only`). */
export const PEOPLE_DOMAIN = 'contoso.com';

const SEEDED_AT = Date.parse('2023-09-01T08:00:00Z');

export function createSeededState(params: {
  tenantId: string;
  scenario: SimulatorScenario;
  seed: SimulatorSeed;
  delays: SimulatorDelays;
  clock: SimulatorClock;
  ids: IdGenerator;
}): TenantState {
  const { scenario, ids } = params;
  const initialDomain =
    params.seed.initialDomain ??
    (/\.onmicrosoft\.com$/i.test(params.tenantId)
      ? params.tenantId.toLowerCase()
      : 'contoso.onmicrosoft.com');
  const state = new TenantState(
    params.tenantId,
    initialDomain,
    params.seed.organizationName ?? 'Contoso (simulated)',
    params.delays,
    params.clock,
  );
  const federatedOnly = scenario === 'federated-only';
  state.domains = [
    {
      id: initialDomain,
      authenticationType: 'Managed',
      isVerified: true,
      isDefault: false,
      isInitial: true,
      supportedServices: ['Email', 'OfficeCommunicationsOnline'],
    },
    {
      id: PEOPLE_DOMAIN,
      authenticationType: federatedOnly ? 'Federated' : 'Managed',
      isVerified: true,
      isDefault: true,
      isInitial: false,
      supportedServices: ['Email', 'OfficeCommunicationsOnline', 'Intune'],
    },
    {
      id: 'fabrikam.com',
      authenticationType: 'Federated',
      isVerified: true,
      isDefault: false,
      isInitial: false,
      supportedServices: ['Email'],
    },
    {
      id: 'litware.com',
      authenticationType: 'Managed',
      isVerified: false,
      isDefault: false,
      isInitial: false,
      supportedServices: [],
    },
  ];

  state.skus = SEATS.map(([sku, enabledUnits, external]) => ({
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    enabledUnits,
    externalConsumedUnits: external,
    servicePlans: [...sku.servicePlans],
    subscriptionId: ids.guid(),
  }));

  const longAgo = params.clock.now() - 365 * 24 * 3600 * 1000;
  for (const person of PEOPLE) {
    state.addUser(
      createUserRecord(
        {
          id: person.id,
          userPrincipalName: `${person.alias}@${PEOPLE_DOMAIN}`,
          displayName: person.displayName,
          mailNickname: person.alias,
          givenName: person.displayName.split(' ')[0],
          surname: person.displayName.split(' ')[1],
          jobTitle: person.jobTitle,
          accountEnabled: person.enabled ?? true,
          usageLocation: 'US',
          businessPhones: ['+1 425 555 0109'],
          officeLocation: '18/2111',
          preferredLanguage: 'en-US',
          assignedLicenses: [{ skuId: person.sku.skuId, disabledPlans: [] }],
          mailboxLicensedAtMs: longAgo,
          perUserMfaState: person.mfa ?? 'disabled',
          createdDateTime: new Date(SEEDED_AT).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
        longAgo,
      ),
    );
    for (const roleDefinitionId of person.roles) {
      state.roleAssignments.push({
        id: roleAssignmentId(roleDefinitionId, person.id),
        roleDefinitionId,
        principalId: person.id,
        directoryScopeId: '/',
      });
    }
  }
  if (scenario === 'no-seats') {
    for (const sku of state.skus) {
      if (sku.skuId === SKUS.M365_F1.skuId) continue;
      sku.externalConsumedUnits += sku.enabledUnits - state.consumedUnits(sku);
    }
  }
  state.roleDefinitions = [...ROLE_DEFINITIONS];
  state.servicePrincipals = [{ ...CIRASYNC_SERVICE_PRINCIPAL }, { ...DISABLED_SERVICE_PRINCIPAL }];
  seedExchange(state, scenario !== 'current', ids, longAgo);
  state.securityDefaultsEnabled = scenario === 'mfa-enforced';
  state.conditionalAccessPolicies =
    scenario === 'mfa-enforced' ? [] : conditionalAccessPolicies(scenario, ids);
  state.version = 0;
  return state;
}

function seedExchange(state: TenantState, impersonationExists: boolean, ids: IdGenerator, at: number): void {
  state.managementRoles = EXCHANGE_ROLES.map((name) => ({
    name,
    roleType: name.replace(/[^A-Za-z]/g, ''),
    description: `This role enables administrators to manage ${name.toLowerCase()} in an organization.`,
  }));
  // RBAC for Applications: in every Exchange Online tenant, the retired role or not (application-rbac).
  for (const role of APPLICATION_ROLES) {
    state.managementRoles.push({
      name: role.name,
      roleType: role.name.replace(/[^A-Za-z]/g, ''),
      description: `This role grants applications the ${role.permissions.join(', ')} permissions on the mailboxes in its scope.`,
    });
  }
  if (impersonationExists) {
    state.managementRoles.push({
      name: APPLICATION_IMPERSONATION,
      roleType: APPLICATION_IMPERSONATION,
      description:
        'This role enables applications to impersonate users in an organization in order to perform tasks on behalf of the user.',
    });
  }
  const group = (name: string, roles: string[], delegatingRoles: string[] = []) => ({
    name,
    guid: ids.guid(),
    description: `Members of this management role group have the ${name} permissions.`,
    roles,
    members: [],
    delegatingRoles,
    createdAtMs: at,
  });
  state.groups = [
    {
      id: REQUESTERS_GROUP_ID,
      displayName: 'Service account requesters',
      memberIds: ['00000000-0000-0000-0000-0000000000023'],
    },
    {
      id: APPROVERS_GROUP_ID,
      displayName: 'Service account approvers',
      memberIds: ['00000000-0000-0000-0000-0000000000020', '00000000-0000-0000-0000-0000000000022'],
    },
  ];
  state.roleGroups = [
    group(
      'Organization Management',
      [
        'Mail Recipients',
        'Mail Recipient Creation',
        'Role Management',
        'Public Folders',
        'Organization Client Access',
      ],
      // "The Organization Management role group has the delegating role assignment for the new
      // Application RBAC roles" (application-rbac, Requirements).
      [
        ...(impersonationExists ? [APPLICATION_IMPERSONATION] : []),
        ...APPLICATION_ROLES.map((role) => role.name),
      ],
    ),
    group('Recipient Management', ['Mail Recipients', 'Mail Recipient Creation']),
    group('View-Only Organization Management', ['View-Only Configuration', 'View-Only Recipients']),
  ];
  // Two people tagged for the sync product, for CustomAttribute1 management scopes.
  state.customAttributes = {
    '00000000-0000-0000-0000-0000000000020': { 1: 'CiraSync' },
    '00000000-0000-0000-0000-0000000000024': { 1: 'CiraSync' },
  };
  state.publicFolderPermissions = [
    { user: 'Default', accessRights: ['Author'] },
    { user: 'Anonymous', accessRights: ['None'] },
  ];
}
