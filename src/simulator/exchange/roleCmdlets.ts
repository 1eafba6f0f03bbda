import type { SimRoleGroup } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import { likeMatch, type Cmdlet, type CmdletContext } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { appAssignmentRow } from './appRoleAssignmentCmdlets';
import { exchangeDistinguishedName, findRecipient, recipientName } from './exchangeIdentity';
import { findServicePrincipal } from './servicePrincipalCmdlets';

function roleGroupRow(state: TenantState, group: SimRoleGroup): Record<string, unknown> {
  const when = new Date(group.createdAtMs).toISOString();
  return {
    Name: group.name,
    DisplayName: group.name,
    Identity: group.name,
    Guid: group.guid,
    ExchangeObjectId: group.guid,
    Description: group.description,
    Roles: [...group.roles],
    RoleAssignments: group.roles.map((role) => `${role}-${group.name}`),
    Members: group.members.map((member) => {
      const user = state.findUser(member.userId);
      return user === undefined ? member.userId : recipientName(user);
    }),
    ManagedBy: [],
    RoleGroupType: 'Standard',
    IsValid: true,
    WhenCreated: when,
    WhenChanged: when,
  };
}

export const getManagementRole: Cmdlet = {
  name: 'Get-ManagementRole',
  parameters: ['Identity', 'RoleType', 'ResultSize'],
  mandatory: [],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    const roleType = params.string('RoleType');
    const roles = state.managementRoles.filter(
      (role) =>
        (identity === undefined || likeMatch(identity, role.name)) &&
        (roleType === undefined || role.roleType.toLowerCase() === roleType.toLowerCase()),
    );
    if (identity !== undefined && !identity.includes('*') && roles.length === 0)
      throw exchangeErrors.objectNotFound(identity, server);
    return roles.map((role) => ({
      Name: role.name,
      Identity: role.name,
      RoleType: role.roleType,
      Description: role.description,
      IsRootRole: true,
      IsEndUserRole: false,
      ImplicitRecipientReadScope: 'Organization',
      ImplicitConfigReadScope: 'OrganizationConfig',
    }));
  },
};

export const getRoleGroup: Cmdlet = {
  name: 'Get-RoleGroup',
  parameters: ['Identity', 'ResultSize', 'Filter'],
  mandatory: [],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    const groups = state.roleGroups.filter(
      (group) => identity === undefined || likeMatch(identity, group.name) || group.guid === identity,
    );
    if (identity !== undefined && !identity.includes('*') && groups.length === 0)
      throw exchangeErrors.objectNotFound(identity, server);
    return groups.map((group) => roleGroupRow(state, group));
  },
};

export const newRoleGroup: Cmdlet = {
  name: 'New-RoleGroup',
  parameters: ['Name', 'Roles', 'Members', 'Description', 'DisplayName', 'ManagedBy'],
  mandatory: ['Name'],
  roles: ['Role Management'],
  run: ({ state, params, server, ids }: CmdletContext) => {
    const name = params.string('Name') ?? '';
    if (state.roleGroup(name) !== undefined)
      throw exchangeErrors.alreadyExists(exchangeDistinguishedName(state, name), server);
    const roles = params.strings('Roles').map((roleName) => {
      const role = state.managementRole(roleName);
      if (role === undefined) throw exchangeErrors.objectNotFound(roleName, server);
      return role.name;
    });
    const now = state.clock.now();
    const members = params.strings('Members').map((memberName) => {
      const user = findRecipient(state, memberName);
      if (user === undefined) throw exchangeErrors.objectNotFound(memberName, server);
      return { userId: user.id, addedAtMs: now };
    });
    const group: SimRoleGroup = {
      name,
      guid: ids.guid(),
      description: params.string('Description') ?? '',
      roles,
      members,
      delegatingRoles: [],
      createdAtMs: now,
    };
    state.roleGroups.push(group);
    state.changed();
    return [roleGroupRow(state, group)];
  },
};

export const addRoleGroupMember: Cmdlet = {
  name: 'Add-RoleGroupMember',
  parameters: ['Identity', 'Member', 'BypassSecurityGroupManagerCheck', 'Confirm'],
  mandatory: ['Identity', 'Member'],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity') ?? '';
    const group = state.roleGroup(identity);
    if (group === undefined) throw exchangeErrors.objectNotFound(identity, server);
    const memberName = params.string('Member') ?? '';
    const user = findRecipient(state, memberName);
    if (user === undefined) throw exchangeErrors.objectNotFound(memberName, server);
    if (group.members.some((member) => member.userId === user.id))
      throw exchangeErrors.alreadyMember(recipientName(user), group.name);
    group.members.push({ userId: user.id, addedAtMs: state.clock.now() });
    state.changed();
    return [];
  },
};

/**
 * `Get-ManagementRoleAssignment` (office-docs-powershell Get-ManagementRoleAssignment.md):
 * `-Role X -GetEffectiveUsers` lists role-group assignments and their members; `-RoleAssignee <app>`
 * (ObjectId, AppId or display name of an Exchange service principal) lists the app's RBAC for
 * Applications assignments, the check public scripts make before New-ManagementRoleAssignment.
 */
export const getManagementRoleAssignment: Cmdlet = {
  name: 'Get-ManagementRoleAssignment',
  parameters: [
    'Identity',
    'Role',
    'RoleAssignee',
    'GetEffectiveUsers',
    'Delegating',
    'Enabled',
    'RoleAssigneeType',
    'ResultSize',
  ],
  mandatory: [],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const roleName = params.string('Role');
    if (roleName !== undefined && state.managementRole(roleName) === undefined)
      throw exchangeErrors.objectNotFound(roleName, server);
    const effective = params.switch('GetEffectiveUsers');
    const delegating = params.has('Delegating') ? params.switch('Delegating') : undefined;
    const assignee = params.string('RoleAssignee');
    const assigneeUser = assignee === undefined ? undefined : findRecipient(state, assignee);
    const assigneeApp = assignee === undefined ? undefined : findServicePrincipal(state, assignee);
    // An assignee Exchange can't resolve (assumed: as for -Identity elsewhere, not captured).
    if (
      assignee !== undefined &&
      assigneeUser === undefined &&
      assigneeApp === undefined &&
      state.roleGroup(assignee) === undefined
    ) {
      throw exchangeErrors.objectNotFound(assignee, server);
    }
    const assigneeType = params.string('RoleAssigneeType')?.toLowerCase();
    const identity = params.string('Identity');
    const now = state.clock.now();
    const rows: Array<Record<string, unknown>> = [];
    for (const group of assigneeType === undefined || assigneeType === 'rolegroup' ? state.roleGroups : []) {
      const assignments = [
        ...group.roles.map((role) => ({ role, delegation: 'Regular' })),
        ...group.delegatingRoles.map((role) => ({ role, delegation: 'DelegatingOrgWide' })),
      ];
      for (const { role, delegation } of assignments) {
        if (roleName !== undefined && role.toLowerCase() !== roleName.toLowerCase()) continue;
        if (delegating !== undefined && delegating !== (delegation !== 'Regular')) continue;
        const name = `${role}-${group.name}${delegation === 'Regular' ? '' : '-Delegating'}`;
        if (identity !== undefined && !likeMatch(identity, name)) continue;
        const row = (assignmentMethod: string, effectiveUserName: string) => ({
          Name: name,
          Identity: name,
          Role: role,
          RoleAssignee: group.name,
          RoleAssigneeName: group.name,
          RoleAssigneeType: 'RoleGroup',
          AssignmentMethod: assignmentMethod,
          EffectiveUserName: effectiveUserName,
          RoleAssignmentDelegationType: delegation,
          Enabled: true,
          RecipientReadScope: 'Organization',
          ConfigReadScope: 'OrganizationConfig',
          RecipientWriteScope: 'Organization',
          ConfigWriteScope: 'OrganizationConfig',
          CustomRecipientWriteScope: null,
          CustomConfigWriteScope: null,
          IsValid: true,
        });
        const groupMatches = assignee === undefined || assignee.toLowerCase() === group.name.toLowerCase();
        if (!effective) {
          if (groupMatches) rows.push(row('Direct', ''));
          continue;
        }
        if (groupMatches) rows.push(row('Direct', 'All Group Members'));
        for (const member of group.members) {
          const user = state.findUser(member.userId);
          if (user === undefined || member.addedAtMs + state.delays.replicationMs > now) continue;
          if (!groupMatches && assigneeUser?.id !== user.id) continue;
          rows.push(row('RoleGroup', recipientName(user)));
        }
      }
    }
    // RBAC for Applications: the assignments made with New-ManagementRoleAssignment -App.
    if (delegating === true || (assigneeType !== undefined && assigneeType !== 'serviceprincipal'))
      return rows;
    for (const assignment of state.appRoleAssignments) {
      if (assignee !== undefined && assigneeApp?.objectId !== assignment.app) continue;
      if (roleName !== undefined && assignment.role.toLowerCase() !== roleName.toLowerCase()) continue;
      if (identity !== undefined && !likeMatch(identity, assignment.name)) continue;
      rows.push(appAssignmentRow(state, assignment, effective));
    }
    return rows;
  },
};
