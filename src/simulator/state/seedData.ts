import type { IdGenerator } from '../idGenerator';
import type { SimulatorScenario } from '../scenarios';
import { ROLE_IDS } from './roleCatalog';
import { SKUS, type CatalogSku } from './skuCatalog';
import type { PerUserMfaState, SimConditionalAccessPolicy } from './stateTypes';

/** The seeded tenant's people, seats and policies. */
export interface SeedPerson {
  id: string;
  displayName: string;
  alias: string;
  jobTitle: string;
  sku: CatalogSku;
  roles: string[];
  enabled?: boolean;
  mfa?: PerUserMfaState;
}

/** The Microsoft 365 Agents Playground's user ids, so its default conversations map to real users. */
export const PEOPLE: readonly SeedPerson[] = [
  {
    id: '00000000-0000-0000-0000-0000000000020',
    displayName: 'Alex Wilber',
    alias: 'alexw',
    jobTitle: 'Marketing Assistant',
    sku: SKUS.ENTERPRISEPACK,
    roles: [ROLE_IDS.globalAdministrator],
  },
  {
    id: '00000000-0000-0000-0000-0000000000021',
    displayName: 'Megan Bowen',
    alias: 'meganb',
    jobTitle: 'Marketing Manager',
    sku: SKUS.ENTERPRISEPACK,
    roles: [ROLE_IDS.globalAdministrator],
  },
  {
    id: '00000000-0000-0000-0000-0000000000022',
    displayName: 'Adele Vance',
    alias: 'adelev',
    jobTitle: 'Retail Manager',
    sku: SKUS.ENTERPRISEPACK,
    roles: [ROLE_IDS.privilegedRoleAdministrator],
    mfa: 'enforced',
  },
  {
    id: '00000000-0000-0000-0000-0000000000023',
    displayName: 'Isaiah Langer',
    alias: 'isaiahl',
    jobTitle: 'Sales Rep',
    sku: SKUS.SPE_F1,
    roles: [],
  },
  {
    id: '00000000-0000-0000-0000-0000000000024',
    displayName: 'Patti Fernandez',
    alias: 'pattif',
    jobTitle: 'President',
    sku: SKUS.ENTERPRISEPACK,
    roles: [],
  },
  {
    id: '00000000-0000-0000-0000-0000000000025',
    displayName: 'Lynne Robbins',
    alias: 'lynner',
    jobTitle: 'Planner',
    sku: SKUS.M365_F1,
    roles: [],
  },
  {
    id: '6e2a1f37-4c1d-4a55-9a0b-3f7c2d9e8b14',
    displayName: 'Diego Siciliani',
    alias: 'diegos',
    jobTitle: 'HR Manager',
    sku: SKUS.EXCHANGESTANDARD,
    roles: [],
    enabled: false,
  },
];

/** Seats: [enabled, used by people outside the simulation]. */
export const SEATS: ReadonlyArray<[CatalogSku, number, number]> = [
  [SKUS.EXCHANGESTANDARD, 5, 1],
  [SKUS.EXCHANGEDESKLESS, 2, 0],
  [SKUS.SPE_F1, 10, 2],
  [SKUS.M365_F1, 10, 3],
  [SKUS.ENTERPRISEPACK, 25, 16],
];

export function conditionalAccessPolicies(
  scenario: SimulatorScenario,
  ids: IdGenerator,
): SimConditionalAccessPolicy[] {
  const created = '2024-02-12T10:15:00Z';
  const policies: SimConditionalAccessPolicy[] = [
    {
      id: ids.guid(),
      displayName: 'Require MFA for administrators (report-only)',
      state: 'enabledForReportingButNotEnforced',
      includeUsers: [],
      excludeUsers: [],
      includeGroups: [],
      includeRoles: [ROLE_IDS.globalAdministrator],
      includeApplications: ['All'],
      builtInControls: ['mfa'],
      createdDateTime: created,
    },
    {
      id: ids.guid(),
      displayName: 'Block legacy authentication',
      state: 'disabled',
      includeUsers: ['All'],
      excludeUsers: [],
      includeGroups: [],
      includeRoles: [],
      includeApplications: ['All'],
      builtInControls: ['block'],
      createdDateTime: created,
    },
  ];
  if (scenario === 'ca-mfa') {
    policies.push({
      id: ids.guid(),
      displayName: 'Require multifactor authentication for all users',
      state: 'enabled',
      includeUsers: ['All'],
      excludeUsers: [],
      includeGroups: [],
      includeRoles: [],
      includeApplications: ['All'],
      builtInControls: ['mfa'],
      createdDateTime: created,
    });
  }
  return policies;
}
