import { applicationRole } from '../state/appRbacCatalog';
import type { SimAppRoleAssignment, SimExchangeServicePrincipal } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import type { Cmdlet } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { findRecipient, rbacDistinguishedName } from './exchangeIdentity';
import { compileRecipientFilter } from './opathFilter';
import { findServicePrincipal } from './servicePrincipalCmdlets';

/** Exchange's longest object name (New-ManagementRoleAssignment.md, `-Name`). */
const MAX_NAME = 64;

/**
 * A role assignment's row, as Get-ManagementRoleAssignment shows role-group rows plus the App set's
 * `CustomResourceScope`. Assumed (not captured): `RoleAssigneeType: 'ServicePrincipal'`,
 * `RoleAssigneeName` the service principal's Name (its object id), `RecipientWriteScope`
 * `CustomRecipientScope` with a scope, as Test-ServicePrincipalAuthorization's ScopeType says.
 */
export function appAssignmentRow(
  state: TenantState,
  assignment: SimAppRoleAssignment,
  effective: boolean,
): Record<string, unknown> {
  const when = new Date(assignment.createdAtMs).toISOString();
  return {
    Name: assignment.name,
    Identity: assignment.name,
    DistinguishedName: rbacDistinguishedName(state, 'RoleAssignments', assignment.name),
    Guid: assignment.guid,
    Role: assignment.role,
    RoleAssignee: assignment.app,
    RoleAssigneeName: assignment.app,
    RoleAssigneeType: 'ServicePrincipal',
    AssignmentMethod: 'Direct',
    EffectiveUserName: effective ? assignment.app : '',
    RoleAssignmentDelegationType: 'Regular',
    Enabled: true,
    CustomResourceScope: assignment.scope,
    RecipientReadScope: 'Organization',
    ConfigReadScope: 'OrganizationConfig',
    RecipientWriteScope: assignment.scope === null ? 'Organization' : 'CustomRecipientScope',
    ConfigWriteScope: 'OrganizationConfig',
    CustomRecipientWriteScope: null,
    CustomConfigWriteScope: null,
    IsValid: true,
    WhenCreated: when,
    WhenChanged: when,
  };
}

/**
 * The name Exchange makes up when `-Name` is left out: `<Role>-<assignee>`, cut to 64, and while taken
 * the first 61 characters plus `-1`, `-2`… (RoleAssignmentHelper.GenerateUniqueRoleAssignmentName in
 * the public decompiled Exchange tasks). So a repeated assignment is a second object, not an error.
 */
function uniqueAssignmentName(state: TenantState, role: string, assignee: string): string {
  const base = `${role}-${assignee}`.trim().slice(0, MAX_NAME).trim();
  const stem = base.slice(0, 61).trim();
  let name = base;
  for (let n = 1; assignmentNameTaken(state, name) && n < 100; n += 1) name = `${stem}-${n}`;
  return name;
}

function assignmentNameTaken(state: TenantState, name: string): boolean {
  const wanted = name.toLowerCase();
  const groupNames = state.roleGroups.flatMap((group) => [
    ...group.roles.map((role) => `${role}-${group.name}`),
    ...group.delegatingRoles.map((role) => `${role}-${group.name}-Delegating`),
  ]);
  return [...state.appRoleAssignments.map((assignment) => assignment.name), ...groupNames].some(
    (candidate) => candidate.toLowerCase() === wanted,
  );
}

/**
 * `New-ManagementRoleAssignment [[-Name] <String>] -Role <RoleIdParameter> -App <ServicePrincipalIdParameter>
 * [-CustomResourceScope <ManagementScopeIdParameter>] [-Force]` (New-ManagementRoleAssignment.md,
 * parameter set App; `-Delegating`, `-RecipientAdministrativeUnitScope` and `-RecipientGroupScope` are
 * not simulated). `-App` is the ObjectId from Get-ServicePrincipal (AppId and display name resolve too,
 * as public scripts pass them) and must exist in Exchange; with it "you can only specify application
 * roles". A missing role, app or scope is ManagementObjectNotFoundException (404); a taken `-Name`
 * ADObjectAlreadyExistsException (400). Without `-Name` a repeat creates another assignment (see
 * `uniqueAssignmentName`): check first with Get-ManagementRoleAssignment -RoleAssignee.
 */
export const newManagementRoleAssignment: Cmdlet = {
  name: 'New-ManagementRoleAssignment',
  parameters: ['Name', 'Role', 'App', 'CustomResourceScope', 'Force', 'Confirm'],
  mandatory: ['Role', 'App'],
  roles: ['Role Management'],
  run: ({ state, params, server, ids }) => {
    const roleName = params.string('Role') ?? '';
    const role = state.managementRole(roleName);
    if (role === undefined) throw exchangeErrors.objectNotFound(roleName, server);
    if (applicationRole(role.name) === undefined) throw exchangeErrors.notAnApplicationRole(role.name);
    const appIdentity = params.string('App') ?? '';
    const principal = findServicePrincipal(state, appIdentity);
    if (principal === undefined) throw exchangeErrors.objectNotFound(appIdentity, server);
    const scopeName = params.string('CustomResourceScope');
    const scope = scopeName === undefined ? undefined : state.managementScope(scopeName);
    if (scopeName !== undefined && scope === undefined)
      throw exchangeErrors.objectNotFound(scopeName, server);
    const requested = params.string('Name')?.trim();
    if (requested !== undefined && assignmentNameTaken(state, requested))
      throw exchangeErrors.alreadyExists(rbacDistinguishedName(state, 'RoleAssignments', requested), server);
    const assignment: SimAppRoleAssignment = {
      name: requested ?? uniqueAssignmentName(state, role.name, principal.objectId),
      guid: ids.guid(),
      role: role.name,
      app: principal.objectId,
      scope: scope?.name ?? null,
      createdAtMs: state.clock.now(),
    };
    state.appRoleAssignments.push(assignment);
    state.changed();
    return [appAssignmentRow(state, assignment, false)];
  },
};

/**
 * `Test-ServicePrincipalAuthorization [-Identity] <ServicePrincipalIdParameter> [-Resource <mailbox>]`
 * (Test-ServicePrincipalAuthorization.md): one row per role assignment of the app, `RoleName`,
 * `GrantedPermissions`, `AllowedResourceScope` (the scope's name, or `Organization`), `ScopeType`
 * (`CustomRecipientScope` / `Organization`) and `InScope`: `True`/`False` for the resource, `Not Run`
 * without one. It reads the assignments as they are now, bypassing the permission cache (application-rbac,
 * "Test Authorization"). Assumed: `InScope` is a string (it must hold `Not Run`) and several permissions
 * are joined with ", "; an unknown app or resource is ManagementObjectNotFoundException.
 */
export const testServicePrincipalAuthorization: Cmdlet = {
  name: 'Test-ServicePrincipalAuthorization',
  parameters: ['Identity', 'Resource', 'Confirm'],
  mandatory: ['Identity'],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity') ?? '';
    const principal = findServicePrincipal(state, identity);
    if (principal === undefined) throw exchangeErrors.objectNotFound(identity, server);
    const resourceName = params.string('Resource');
    const resource = resourceName === undefined ? undefined : findRecipient(state, resourceName);
    if (resourceName !== undefined && resource === undefined)
      throw exchangeErrors.objectNotFound(resourceName, server);
    return assignmentsOf(state, principal).map((assignment) => {
      const scope = assignment.scope === null ? undefined : state.managementScope(assignment.scope);
      let inScope = 'Not Run';
      if (resource !== undefined) {
        const matches =
          scope === undefined ||
          compileRecipientFilter(state, 'RecipientRestrictionFilter', scope.recipientFilter).matches(
            resource,
          );
        inScope = matches ? 'True' : 'False';
      }
      return {
        RoleName: assignment.role,
        GrantedPermissions: (applicationRole(assignment.role)?.permissions ?? []).join(', '),
        AllowedResourceScope: scope?.name ?? 'Organization',
        ScopeType: scope === undefined ? 'Organization' : 'CustomRecipientScope',
        InScope: inScope,
      };
    });
  },
};

export function assignmentsOf(
  state: TenantState,
  principal: SimExchangeServicePrincipal,
): SimAppRoleAssignment[] {
  return state.appRoleAssignments.filter((assignment) => assignment.app === principal.objectId);
}
