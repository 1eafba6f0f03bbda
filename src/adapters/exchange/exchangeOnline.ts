/** The `Exchange` port over the admin API's cmdlets (docs/microsoft365.md). */
import { AppError, isAppError } from '../../domain/errors';
import type { Exchange, ExchangeAppAccess, ExchangeServicePrincipal } from '../../domain/ports';
import type {
  ExchangeAccountQuery,
  ExchangeAccountReading,
  ExchangeOverview,
  RoleGroup,
} from '../../domain/tenant';
import { IMPERSONATION_ROLE, IMPERSONATION_ROLE_GROUP } from '../../domain/wellKnown';
import { type Json, obj, str, strings } from '../graph/json';
import type {
  CmdletParameters,
  CommandResult,
  ExchangeCommand,
  ExchangeCommandClient,
} from './exchangeCommandClient';

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

/** A batched read's rows; `undefined` when Exchange says the object does not exist. */
function found(result: CommandResult): Json[] | undefined {
  if (!(result instanceof AppError)) return result;
  if (isAppError(result, 'NotFound')) return undefined;
  throw result;
}

/**
 * A role-group member names the account when it is its UPN or its alias (the UPN's part before the
 * @), any case — as `ensureImpersonationRoleGroup` matches it (src/domain/provisioningSteps.ts).
 */
function namesAccount(member: string, upn: string): boolean {
  const value = member.trim().toLowerCase();
  const name = upn.trim().toLowerCase();
  return value === name || value === name.split('@')[0];
}

function toAppRoles(rows: Json[]): { role: string; scope?: string }[] {
  return rows.map((row) => {
    const scope = str(row.CustomResourceScope);
    return { role: identityText(row.Role), ...(scope === '' ? {} : { scope }) };
  });
}

function toRoleGroup(row: Json): RoleGroup {
  return {
    name: str(row.Name) || str(row.DisplayName) || str(row.Identity),
    roles: strings(row.Roles),
    members: Array.isArray(row.Members) ? row.Members.map(identityText).filter((m) => m !== '') : [],
  };
}

export class ExchangeOnline implements Exchange, ExchangeAppAccess {
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

  /**
   * Only what the query names, in one admin API `$batch`: `Get-RoleGroup -Identity`, `Get-Mailbox
   * -Identity`, `Get-PublicFolderClientPermission -Identity -User`, `Get-ManagementRoleAssignment
   * -RoleAssignee`. An absent group, mailbox, permission entry or app is an answer, not an error.
   */
  async readAccountHealth(query: ExchangeAccountQuery): Promise<ExchangeAccountReading> {
    const asked: { field: keyof ExchangeAccountReading; command: ExchangeCommand }[] = [];
    if (query.roleGroup !== undefined)
      asked.push({
        field: 'roleGroupMember',
        command: { cmdlet: 'Get-RoleGroup', parameters: { Identity: query.roleGroup } },
      });
    if (query.mailbox === true)
      asked.push({
        field: 'mailbox',
        command: { cmdlet: 'Get-Mailbox', parameters: { Identity: query.user } },
      });
    if (query.publicFolder !== undefined)
      asked.push({
        field: 'publicFolderRights',
        command: {
          cmdlet: 'Get-PublicFolderClientPermission',
          parameters: { Identity: query.publicFolder, User: query.user },
        },
      });
    if (query.appId !== undefined)
      asked.push({
        field: 'appRoles',
        command: { cmdlet: 'Get-ManagementRoleAssignment', parameters: { RoleAssignee: query.appId } },
      });
    if (asked.length === 0) return {};
    const results = await this.commands.invokeBatch(asked.map((a) => a.command));
    const reading: ExchangeAccountReading = {};
    asked.forEach(({ field }, index) => {
      const rows = found(results[index]);
      switch (field) {
        case 'roleGroupMember': {
          const group = rows?.[0] === undefined ? undefined : toRoleGroup(rows[0]);
          reading.roleGroupMember = group?.members.some((m) => namesAccount(m, query.user)) ?? false;
          break;
        }
        case 'mailbox':
          reading.mailbox = rows !== undefined && rows.length > 0;
          break;
        case 'publicFolderRights':
          reading.publicFolderRights =
            rows === undefined || rows.length === 0 ? null : rows.flatMap((row) => strings(row.AccessRights));
          break;
        case 'appRoles':
          reading.appRoles = toAppRoles(rows ?? []);
          break;
      }
    });
    return reading;
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

  // RBAC for Applications (docs/microsoft365.md, "RBAC for Applications").

  async getServicePrincipal(appId: string): Promise<ExchangeServicePrincipal | undefined> {
    const row = (await this.find('Get-ServicePrincipal', { Identity: appId }))?.[0];
    if (row === undefined) return undefined;
    return { appId: str(row.AppId), objectId: str(row.ObjectId), displayName: str(row.DisplayName) };
  }

  async newServicePrincipal(principal: ExchangeServicePrincipal): Promise<void> {
    await this.commands.invoke('New-ServicePrincipal', {
      AppId: principal.appId,
      ObjectId: principal.objectId,
      DisplayName: principal.displayName,
    });
  }

  async getManagementScope(name: string): Promise<{ name: string; filter: string } | undefined> {
    const row = (await this.find('Get-ManagementScope', { Identity: name }))?.[0];
    if (row === undefined) return undefined;
    return { name: str(row.Name), filter: str(row.RecipientFilter) };
  }

  async newManagementScope(name: string, filter: string): Promise<void> {
    await this.commands.invoke('New-ManagementScope', { Name: name, RecipientRestrictionFilter: filter });
  }

  async appRoleAssignments(appId: string): Promise<{ role: string; scope?: string }[]> {
    return toAppRoles((await this.find('Get-ManagementRoleAssignment', { RoleAssignee: appId })) ?? []);
  }

  async newAppRoleAssignment(assignment: {
    name: string;
    servicePrincipalId: string;
    role: string;
    scope?: string;
  }): Promise<void> {
    await this.commands.invoke('New-ManagementRoleAssignment', {
      Name: assignment.name,
      App: assignment.servicePrincipalId,
      Role: assignment.role,
      ...(assignment.scope === undefined ? {} : { CustomResourceScope: assignment.scope }),
    });
  }

  async testAppAuthorization(
    appId: string,
    resource?: string,
  ): Promise<{ role: string; inScope?: boolean }[]> {
    const rows = await this.commands.invoke('Test-ServicePrincipalAuthorization', {
      Identity: appId,
      ...(resource === undefined ? {} : { Resource: resource }),
    });
    return rows.map((row) => {
      const inScope = String(row.InScope ?? '').toLowerCase();
      return {
        role: str(row.RoleName),
        ...(inScope === 'true' ? { inScope: true } : inScope === 'false' ? { inScope: false } : {}),
      };
    });
  }
}
