/** The `Exchange` port over the admin API's cmdlets (docs/microsoft365.md). */
import { isAppError } from '../../domain/errors';
import type { Exchange } from '../../domain/ports';
import type { ExchangeOverview, RoleGroup } from '../../domain/tenant';
import { IMPERSONATION_ROLE, IMPERSONATION_ROLE_GROUP } from '../../domain/wellKnown';
import { type Json, obj, str, strings } from '../graph/json';
import type { CmdletParameters, ExchangeCommandClient } from './exchangeCommandClient';

/** A recipient reference as Exchange serialises it: a plain name, or an object with names. */
function identityText(value: unknown): string {
  if (typeof value === 'string') return value;
  const o = obj(value);
  for (const key of ['UserPrincipalName', 'PrimarySmtpAddress', 'DisplayName', 'Name', 'Identity']) {
    const text = str(o[key]);
    if (text !== '') return text;
  }
  return '';
}

function toRoleGroup(row: Json): RoleGroup {
  return {
    name: str(row.Name) || str(row.DisplayName) || str(row.Identity),
    roles: strings(row.Roles),
    members: Array.isArray(row.Members) ? row.Members.map(identityText).filter((m) => m !== '') : [],
  };
}

export class ExchangeOnline implements Exchange {
  constructor(private readonly commands: ExchangeCommandClient) {}

  /** Runs a read; `undefined` when Exchange says the object does not exist. */
  private async find(cmdlet: string, parameters: CmdletParameters): Promise<Json[] | undefined> {
    try {
      return await this.commands.invoke(cmdlet, parameters);
    } catch (error) {
      if (isAppError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  async readOverview(): Promise<ExchangeOverview> {
    const [role, group] = await Promise.all([
      this.find('Get-ManagementRole', { Identity: IMPERSONATION_ROLE }),
      this.getRoleGroup(IMPERSONATION_ROLE_GROUP),
    ]);
    return { impersonationRoleExists: role !== undefined && role.length > 0, impersonationGroup: group };
  }

  async getRoleGroup(name: string): Promise<RoleGroup | undefined> {
    const rows = await this.find('Get-RoleGroup', { Identity: name });
    return rows === undefined || rows.length === 0 ? undefined : toRoleGroup(rows[0]);
  }

  async newRoleGroup(name: string, roles: string[], members: string[]): Promise<RoleGroup> {
    const rows = await this.commands.invoke('New-RoleGroup', { Name: name, Roles: roles, Members: members });
    return rows.length > 0 ? toRoleGroup(rows[0]) : { name, roles, members };
  }

  async addRoleGroupMember(group: string, member: string): Promise<void> {
    await this.commands.invoke('Add-RoleGroupMember', { Identity: group, Member: member });
  }

  async recipientExists(identity: string): Promise<boolean> {
    const rows = await this.find('Get-Recipient', { Identity: identity });
    return rows !== undefined && rows.length > 0;
  }

  async mailboxExists(identity: string): Promise<boolean> {
    const rows = await this.find('Get-Mailbox', { Identity: identity });
    return rows !== undefined && rows.length > 0;
  }

  async publicFolderAccess(folder: string, user: string): Promise<string[] | undefined> {
    const rows = await this.find('Get-PublicFolderClientPermission', { Identity: folder, User: user });
    return rows === undefined || rows.length === 0
      ? undefined
      : rows.flatMap((row) => strings(row.AccessRights));
  }

  async addPublicFolderPermission(folder: string, user: string, accessRights: string): Promise<void> {
    await this.commands.invoke('Add-PublicFolderClientPermission', {
      Identity: folder,
      User: user,
      AccessRights: accessRights,
    });
  }

  async effectiveRoleUsers(role: string): Promise<string[]> {
    const rows = await this.find('Get-ManagementRoleAssignment', { Role: role, GetEffectiveUsers: true });
    return (rows ?? []).map((row) => identityText(row.EffectiveUserName)).filter((u) => u !== '');
  }
}
