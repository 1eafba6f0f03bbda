import type { SimPublicFolderPermission } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import type { Cmdlet } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { findRecipient, mailboxRow, recipientRow } from './exchangeIdentity';

export const getRecipient: Cmdlet = {
  name: 'Get-Recipient',
  parameters: ['Identity', 'ResultSize', 'RecipientTypeDetails'],
  mandatory: [],
  roles: ['Mail Recipients', 'View-Only Recipients'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    const types = params.strings('RecipientTypeDetails').map((type) => type.toLowerCase());
    const users =
      identity === undefined
        ? state.listUsers().filter((user) => state.isRecipient(user))
        : [findRecipient(state, identity)].filter((user) => user !== undefined);
    if (identity !== undefined && users.length === 0) throw exchangeErrors.objectNotFound(identity, server);
    return users
      .map((user) => recipientRow(state, user))
      .filter((row) => types.length === 0 || types.includes(String(row.RecipientTypeDetails).toLowerCase()));
  },
};

export const getMailbox: Cmdlet = {
  name: 'Get-Mailbox',
  parameters: ['Identity', 'ResultSize', 'RecipientTypeDetails'],
  mandatory: [],
  roles: ['Mail Recipients', 'View-Only Recipients'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    if (identity !== undefined) {
      const user = findRecipient(state, identity);
      if (user === undefined || !state.hasMailbox(user))
        throw exchangeErrors.objectNotFound(identity, server);
      return [mailboxRow(state, user)];
    }
    return state
      .listUsers()
      .filter((user) => state.hasMailbox(user))
      .map((user) => mailboxRow(state, user));
  },
};

const ACCESS_RIGHTS = [
  'None',
  'Owner',
  'PublishingEditor',
  'Editor',
  'PublishingAuthor',
  'Author',
  'NonEditingAuthor',
  'Reviewer',
  'Contributor',
];

function requireRoot(identity: string, server: string): void {
  if (identity !== '\\') throw exchangeErrors.objectNotFound(identity, server);
}

function permissionUserName(state: TenantState, permission: SimPublicFolderPermission): string {
  if (permission.user === 'Default' || permission.user === 'Anonymous') return permission.user;
  return state.findUser(permission.user)?.displayName ?? permission.user;
}

function permissionRow(state: TenantState, permission: SimPublicFolderPermission): Record<string, unknown> {
  return {
    Identity: '\\',
    FolderName: 'IPM_SUBTREE',
    User: permissionUserName(state, permission),
    AccessRights: [...permission.accessRights],
    IsValid: true,
    ObjectState: 'Unchanged',
  };
}

export const getPublicFolderClientPermission: Cmdlet = {
  name: 'Get-PublicFolderClientPermission',
  parameters: ['Identity', 'User'],
  mandatory: ['Identity'],
  roles: ['Public Folders'],
  run: ({ state, params, server }) => {
    requireRoot(params.string('Identity') ?? '', server);
    const userName = params.string('User');
    if (userName === undefined)
      return state.publicFolderPermissions.map((permission) => permissionRow(state, permission));
    const user = findRecipient(state, userName);
    if (user === undefined) throw exchangeErrors.objectNotFound(userName, server);
    const permission = state.publicFolderPermissions.find((candidate) => candidate.user === user.id);
    if (permission === undefined) throw exchangeErrors.noPermissionEntry(user.displayName);
    return [permissionRow(state, permission)];
  },
};

export const addPublicFolderClientPermission: Cmdlet = {
  name: 'Add-PublicFolderClientPermission',
  parameters: ['Identity', 'User', 'AccessRights', 'Confirm'],
  mandatory: ['Identity', 'User', 'AccessRights'],
  roles: ['Public Folders'],
  run: ({ state, params, server }) => {
    requireRoot(params.string('Identity') ?? '', server);
    const accessRights = params.strings('AccessRights').map((right) => {
      const known = ACCESS_RIGHTS.find((candidate) => candidate.toLowerCase() === right.toLowerCase());
      if (known === undefined) throw exchangeErrors.invalidArgument('AccessRights', right);
      return known;
    });
    const userName = params.string('User') ?? '';
    const user = findRecipient(state, userName);
    if (user === undefined || !state.hasMailbox(user)) throw exchangeErrors.notAMailboxUser(userName);
    if (state.publicFolderPermissions.some((permission) => permission.user === user.id)) {
      throw exchangeErrors.permissionExists(user.displayName);
    }
    const permission = { user: user.id, accessRights };
    state.publicFolderPermissions.push(permission);
    state.changed();
    return [permissionRow(state, permission)];
  },
};
