import type { SimUser } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';

/**
 * The user an Exchange `-Identity`/`-Member`/`-User` value names (object id, UPN, alias, display
 * name or SMTP address, any case) — only once Exchange knows the user (`exchangeRecipientMs`).
 */
export function findRecipient(state: TenantState, identity: string): SimUser | undefined {
  const wanted = identity.trim().toLowerCase();
  const user = state
    .listUsers()
    .find((candidate) =>
      [candidate.id, candidate.userPrincipalName, candidate.mailNickname, candidate.displayName].some(
        (value) => value.toLowerCase() === wanted,
      ),
    );
  return user !== undefined && state.isRecipient(user) ? user : undefined;
}

/** The distinguished name of a recipient-side object (role group, group, service principal) named `name`. */
export function exchangeDistinguishedName(state: TenantState, name: string): string {
  return `CN=${name},OU=${state.initialDomain},OU=Microsoft Exchange Hosted Organizations,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`;
}

/** The distinguished name of an RBAC configuration object (a scope, a role assignment) of the tenant. */
export function rbacDistinguishedName(state: TenantState, container: string, name: string): string {
  return `CN=${name},CN=${container},CN=RBAC,CN=${state.initialDomain},CN=ConfigurationUnits,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`;
}

/** Exchange's `Name` for a cloud user (the alias). */
export function recipientName(user: SimUser): string {
  return user.mailNickname;
}

export function recipientRow(state: TenantState, user: SimUser): Record<string, unknown> {
  const mailbox = state.hasMailbox(user);
  const type = mailbox ? 'UserMailbox' : 'User';
  return {
    Name: recipientName(user),
    Identity: recipientName(user),
    Alias: user.mailNickname,
    DisplayName: user.displayName,
    RecipientType: type,
    RecipientTypeDetails: type,
    PrimarySmtpAddress: mailbox ? user.userPrincipalName : '',
    EmailAddresses: mailbox ? [`SMTP:${user.userPrincipalName}`] : [],
    WindowsLiveID: user.userPrincipalName,
    ExternalDirectoryObjectId: user.id,
    Guid: user.id,
  };
}

export function mailboxRow(state: TenantState, user: SimUser): Record<string, unknown> {
  const readyAt = state.mailboxReadyAtMs(user) ?? state.clock.now();
  return {
    Name: recipientName(user),
    Identity: recipientName(user),
    Alias: user.mailNickname,
    DisplayName: user.displayName,
    UserPrincipalName: user.userPrincipalName,
    PrimarySmtpAddress: user.userPrincipalName,
    EmailAddresses: [`SMTP:${user.userPrincipalName}`],
    RecipientType: 'UserMailbox',
    RecipientTypeDetails: 'UserMailbox',
    ExternalDirectoryObjectId: user.id,
    Guid: user.id,
    IsMailboxEnabled: true,
    WhenMailboxCreated: new Date(readyAt).toISOString(),
  };
}
