import type { SimExchangeServicePrincipal } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import type { Cmdlet } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { exchangeDistinguishedName } from './exchangeIdentity';

/**
 * The row of an Exchange service principal. The docs show no output; the names are what public
 * clients read (`AppId`, `ObjectId`, `DisplayName`, `Identity`; azapptoolkit models.rs) plus the
 * deprecated `ServiceId`. Assumed: `Name`/`Identity` are the object id, `ServiceId` equals `ObjectId`.
 */
export function servicePrincipalRow(
  state: TenantState,
  principal: SimExchangeServicePrincipal,
): Record<string, unknown> {
  const when = new Date(principal.createdAtMs).toISOString();
  return {
    Name: principal.objectId,
    Identity: principal.objectId,
    DisplayName: principal.displayName,
    AppId: principal.appId,
    ObjectId: principal.objectId,
    ServiceId: principal.objectId,
    DistinguishedName: exchangeDistinguishedName(state, principal.objectId),
    Guid: principal.guid,
    IsValid: true,
    WhenCreated: when,
    WhenChanged: when,
  };
}

/**
 * `Get-ServicePrincipal [[-Identity] <Name|DN|GUID|AppId|ObjectId>]` (office-docs-powershell
 * Get-ServicePrincipal.md; the display name resolves too, as public scripts use it). An identity that
 * resolves to nothing is ManagementObjectNotFoundException, 404 (public scripts quote the Ex6F9304
 * error for it), although the docs' generic caution says a non-existent value lists everything.
 */
export const getServicePrincipal: Cmdlet = {
  name: 'Get-ServicePrincipal',
  parameters: ['Identity', 'Organization'],
  mandatory: [],
  roles: ['Role Management'],
  run: ({ state, params, server }) => {
    const identity = params.string('Identity');
    if (identity === undefined)
      return state.exchangeServicePrincipals.map((principal) => servicePrincipalRow(state, principal));
    const principal = findServicePrincipal(state, identity);
    if (principal === undefined) throw exchangeErrors.objectNotFound(identity, server);
    return [servicePrincipalRow(state, principal)];
  },
};

/** By the identities Exchange resolves for a service principal, its distinguished name included. */
export function findServicePrincipal(
  state: TenantState,
  identity: string,
): SimExchangeServicePrincipal | undefined {
  return (
    state.exchangeServicePrincipal(identity) ??
    state.exchangeServicePrincipals.find(
      (principal) =>
        exchangeDistinguishedName(state, principal.objectId).toLowerCase() === identity.trim().toLowerCase(),
    )
  );
}

/**
 * `New-ServicePrincipal -AppId <String> -ObjectId <String> [-DisplayName <String>]`
 * (New-ServicePrincipal.md; `-ServiceId` "is being deprecated. Use the ObjectId parameter instead", so
 * either names the object id). The pair must be an enterprise application (service principal) in the
 * tenant's Entra ID: the app registration's object id fails with AADServicePrincipalNotFound (public
 * setup guides). Assumed: a disabled service principal is accepted (Exchange only points at it); the
 * display name defaults to Entra's; `-ObjectId` and `-ServiceId` naming different ids is the admin
 * API's parameter-set error; a second pointer for the same AppId or ObjectId is
 * ADObjectAlreadyExistsException, 400, like New-RoleGroup's (not captured for this cmdlet).
 */
export const newServicePrincipal: Cmdlet = {
  name: 'New-ServicePrincipal',
  parameters: ['AppId', 'ObjectId', 'ServiceId', 'DisplayName', 'Organization', 'Confirm'],
  mandatory: ['AppId'],
  roles: ['Role Management'],
  run: ({ state, params, server, ids }) => {
    const appId = (params.string('AppId') ?? '').trim();
    const objectIdParam = params.string('ObjectId')?.trim();
    const serviceId = params.string('ServiceId')?.trim();
    if (objectIdParam === undefined && serviceId === undefined)
      throw exchangeErrors.missingParameters(['ObjectId']);
    if (
      objectIdParam !== undefined &&
      serviceId !== undefined &&
      objectIdParam.toLowerCase() !== serviceId.toLowerCase()
    ) {
      throw exchangeErrors.unknownParameter('ServiceId');
    }
    const objectId = (objectIdParam ?? serviceId ?? '').toLowerCase();
    const entra = state.servicePrincipals.find((principal) => principal.id.toLowerCase() === objectId);
    if (entra === undefined || entra.appId.toLowerCase() !== appId.toLowerCase())
      throw exchangeErrors.servicePrincipalNotInDirectory(objectId, appId);
    if (
      state.exchangeServicePrincipals.some(
        (principal) => principal.appId === entra.appId || principal.objectId === entra.id,
      )
    ) {
      throw exchangeErrors.alreadyExists(exchangeDistinguishedName(state, entra.id), server);
    }
    const principal: SimExchangeServicePrincipal = {
      appId: entra.appId,
      objectId: entra.id,
      displayName: params.string('DisplayName') ?? entra.displayName,
      guid: ids.guid(),
      createdAtMs: state.clock.now(),
    };
    state.exchangeServicePrincipals.push(principal);
    state.changed();
    return [servicePrincipalRow(state, principal)];
  },
};
