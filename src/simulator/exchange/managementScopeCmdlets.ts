import type { SimManagementScope } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import { likeMatch, type Cmdlet } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { rbacDistinguishedName } from './exchangeIdentity';
import { compileRecipientFilter } from './opathFilter';

const FILTER_PARAMETER = 'RecipientRestrictionFilter';

/**
 * A scope's row. `Name`, `Identity` and `RecipientFilter` are what public clients read (azapptoolkit
 * models.rs); the rest follows Get-ManagementScope's usual list (assumed, no captured output).
 */
function scopeRow(state: TenantState, scope: SimManagementScope): Record<string, unknown> {
  const when = new Date(scope.createdAtMs).toISOString();
  return {
    Name: scope.name,
    Identity: scope.name,
    DistinguishedName: rbacDistinguishedName(state, 'Scopes', scope.name),
    Guid: scope.guid,
    ScopeRestrictionType: 'RecipientScope',
    Exclusive: scope.exclusive,
    RecipientRoot: scope.recipientRoot,
    RecipientFilter: scope.recipientFilter,
    ServerFilter: null,
    DatabaseFilter: null,
    IsValid: true,
    WhenCreated: when,
    WhenChanged: when,
  };
}

/**
 * `Get-ManagementScope [[-Identity] <name>] [-Exclusive <Boolean>] [-Orphan]`
 * (office-docs-powershell Get-ManagementScope.md; `Redmond*` wildcards as in its example 1). A name
 * that matches nothing is ManagementObjectNotFoundException, 404, like the other Get-* cmdlets.
 */
export const getManagementScope: Cmdlet = {
  name: 'Get-ManagementScope',
  parameters: ['Identity', 'Exclusive', 'Orphan'],
  mandatory: [],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    const exclusive = params.has('Exclusive') ? params.switch('Exclusive') : undefined;
    const orphan = params.switch('Orphan');
    const scopes = state.managementScopes.filter(
      (scope) =>
        (identity === undefined || likeMatch(identity, scope.name) || scope.guid === identity) &&
        (exclusive === undefined || scope.exclusive === exclusive) &&
        (!orphan || !state.appRoleAssignments.some((assignment) => assignment.scope === scope.name)),
    );
    if (identity !== undefined && !identity.includes('*') && scopes.length === 0)
      throw exchangeErrors.objectNotFound(identity, server);
    return scopes.map((scope) => scopeRow(state, scope));
  },
};

/**
 * `New-ManagementScope [-Name] <String> -RecipientRestrictionFilter <String> [-RecipientRoot <OU>]
 * [-Exclusive] [-Force]` (New-ManagementScope.md, parameter set RecipientFilter: the only one in
 * Exchange Online). The filter is checked when the parameter binds (see `compileRecipientFilter`),
 * before the name: a taken name is ADObjectAlreadyExistsException, 400 (as New-RoleGroup's; not
 * captured for scopes). Every simulated recipient lives in the tenant's OU, so `-RecipientRoot` must
 * name it (the initial domain or its DN) or is not found.
 */
export const newManagementScope: Cmdlet = {
  name: 'New-ManagementScope',
  parameters: ['Name', FILTER_PARAMETER, 'RecipientRoot', 'Exclusive', 'Force', 'Confirm'],
  mandatory: ['Name', FILTER_PARAMETER],
  roles: ['Role Management'],
  run: ({ state, params, server, ids }) => {
    const filter = compileRecipientFilter(state, FILTER_PARAMETER, params.string(FILTER_PARAMETER) ?? '');
    const name = (params.string('Name') ?? '').trim();
    if (state.managementScope(name) !== undefined)
      throw exchangeErrors.alreadyExists(rbacDistinguishedName(state, 'Scopes', name), server);
    const root = params.string('RecipientRoot')?.trim();
    const tenantOu = `OU=${state.initialDomain},OU=Microsoft Exchange Hosted Organizations,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM`;
    if (
      root !== undefined &&
      ![state.initialDomain, tenantOu].some((candidate) => candidate.toLowerCase() === root.toLowerCase())
    ) {
      throw exchangeErrors.objectNotFound(root, server);
    }
    const scope: SimManagementScope = {
      name,
      guid: ids.guid(),
      recipientFilter: filter.text,
      recipientRoot: root === undefined ? null : state.initialDomain,
      exclusive: params.switch('Exclusive'),
      createdAtMs: state.clock.now(),
    };
    state.managementScopes.push(scope);
    state.changed();
    return [scopeRow(state, scope)];
  },
};
