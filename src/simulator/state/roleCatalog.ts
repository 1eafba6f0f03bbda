import type { SimRoleDefinition } from './stateTypes';

/** Built-in Entra role template ids (the same in every tenant). */
export const ROLE_IDS = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  serviceSupportAdministrator: 'f023fd81-a637-4b56-95fd-791ac0226033',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;

export const ROLE_DEFINITIONS: readonly SimRoleDefinition[] = [
  {
    id: ROLE_IDS.globalAdministrator,
    displayName: 'Global Administrator',
    description:
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  },
  {
    id: ROLE_IDS.exchangeAdministrator,
    displayName: 'Exchange Administrator',
    description: 'Can manage all aspects of the Exchange product.',
  },
  {
    id: ROLE_IDS.privilegedRoleAdministrator,
    displayName: 'Privileged Role Administrator',
    description:
      'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
  },
  {
    id: ROLE_IDS.serviceSupportAdministrator,
    displayName: 'Service Support Administrator',
    description: 'Can read service health information and manage support tickets.',
  },
  {
    id: ROLE_IDS.globalReader,
    displayName: 'Global Reader',
    description: 'Can read everything that a Global Administrator can, but not update anything.',
  },
  {
    id: ROLE_IDS.userAdministrator,
    displayName: 'User Administrator',
    description:
      'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
  },
];

/** Exchange Online management roles the simulator knows (ApplicationImpersonation only where not retired). */
export const APPLICATION_IMPERSONATION = 'ApplicationImpersonation';
export const EXCHANGE_ROLES = [
  'Mail Recipients',
  'Mail Recipient Creation',
  'Role Management',
  'Public Folders',
  'View-Only Configuration',
  'View-Only Recipients',
  'Organization Client Access',
] as const;
