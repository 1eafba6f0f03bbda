import type { SimServicePrincipal } from './stateTypes';

/** An Exchange Online application role (RBAC for Applications) and the permissions it grants. */
export interface ApplicationRole {
  name: string;
  protocol: 'MS Graph' | 'EWS';
  permissions: readonly string[];
}

/**
 * The application roles of RBAC for Applications, as the "Supported Application Roles" table of
 * https://learn.microsoft.com/exchange/permissions-exo/application-rbac lists them. Only these can be
 * assigned with `New-ManagementRoleAssignment -App` (New-ManagementRoleAssignment.md, `-Role`). They
 * exist in every Exchange Online tenant, whether or not ApplicationImpersonation is still there.
 */
export const APPLICATION_ROLES: readonly ApplicationRole[] = [
  { name: 'Application Mail.Read', protocol: 'MS Graph', permissions: ['Mail.Read'] },
  { name: 'Application Mail.ReadBasic', protocol: 'MS Graph', permissions: ['Mail.ReadBasic'] },
  { name: 'Application Mail.ReadWrite', protocol: 'MS Graph', permissions: ['Mail.ReadWrite'] },
  { name: 'Application Mail.Send', protocol: 'MS Graph', permissions: ['Mail.Send'] },
  { name: 'Application MailboxSettings.Read', protocol: 'MS Graph', permissions: ['MailboxSettings.Read'] },
  {
    name: 'Application MailboxSettings.ReadWrite',
    protocol: 'MS Graph',
    permissions: ['MailboxSettings.ReadWrite'],
  },
  { name: 'Application Calendars.Read', protocol: 'MS Graph', permissions: ['Calendars.Read'] },
  { name: 'Application Calendars.ReadWrite', protocol: 'MS Graph', permissions: ['Calendars.ReadWrite'] },
  { name: 'Application Contacts.Read', protocol: 'MS Graph', permissions: ['Contacts.Read'] },
  { name: 'Application Contacts.ReadWrite', protocol: 'MS Graph', permissions: ['Contacts.ReadWrite'] },
  {
    name: 'Application Mail Full Access',
    protocol: 'MS Graph',
    permissions: ['Mail.ReadWrite', 'Mail.Send'],
  },
  {
    name: 'Application Exchange Full Access',
    protocol: 'MS Graph',
    permissions: [
      'Mail.ReadWrite',
      'Mail.Send',
      'MailboxSettings.ReadWrite',
      'Calendars.ReadWrite',
      'Contacts.ReadWrite',
    ],
  },
  { name: 'Application EWS.AccessAsApp', protocol: 'EWS', permissions: ['EWS.AccessAsApp'] },
];

export function applicationRole(name: string): ApplicationRole | undefined {
  return APPLICATION_ROLES.find((role) => role.name.toLowerCase() === name.trim().toLowerCase());
}

/** The tenant that publishes the simulated sync product (a multi-tenant app from another tenant). */
const PUBLISHER_TENANT_ID = '7c1f9b3e-2d4a-4e6b-8f0c-5a9d3e7b1c24';

/**
 * The sync product's enterprise application in the simulated tenant (ids made up for the simulator).
 * Its `id` is what `New-ServicePrincipal -ObjectId` wants; its app registration lives in the publisher's
 * tenant, so this tenant has no application object with another id to confuse it with.
 */
export const CIRASYNC_SERVICE_PRINCIPAL: SimServicePrincipal = {
  id: '4b2e8d1a-6c3f-4a7e-9b5d-0e1f2a3b4c5d',
  appId: 'a3c5e7f9-1b2d-4e6f-8a0b-2c4d6e8f0a1b',
  displayName: 'CiraSync',
  accountEnabled: true,
  appOwnerOrganizationId: PUBLISHER_TENANT_ID,
  createdDateTime: '2024-03-04T09:30:00Z',
};

/** An enterprise application an admin disabled (sign-in blocked): still listed by Graph. */
export const DISABLED_SERVICE_PRINCIPAL: SimServicePrincipal = {
  id: '8e6f4d2b-0a9c-4b7d-a5e3-1c2b3a4d5e6f',
  appId: 'd1e3f5a7-9b0c-4d2e-8f4a-6b8c0d2e4f6a',
  displayName: 'Legacy Contacts Connector',
  accountEnabled: false,
  appOwnerOrganizationId: PUBLISHER_TENANT_ID,
  createdDateTime: '2021-11-15T14:00:00Z',
};
