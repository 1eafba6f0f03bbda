/**
 * Graph's JSON narrowed into the domain's directory types, and the domain's new user turned into the
 * fields Graph takes. A field that is missing or of another type becomes a neutral value.
 */
import type {
  ConditionalAccessPolicy,
  DirectoryAccountReading,
  DirectoryUser,
  NewDirectoryUser,
  RoleAssignment,
  SubscribedSku,
  TenantDomain,
} from '../../domain/tenant';
import { array, bool, type Json, num, obj, str, strings } from './json';

/** The user fields every user read selects (`$select`). */
export const USER_FIELDS =
  'id,userPrincipalName,displayName,accountEnabled,mail,passwordPolicies,usageLocation,employeeType,createdDateTime,assignedLicenses';

export function toUser(json: Json): DirectoryUser {
  return {
    id: str(json.id),
    userPrincipalName: str(json.userPrincipalName),
    displayName: str(json.displayName),
    accountEnabled: bool(json.accountEnabled, true),
    mail: str(json.mail) || undefined,
    passwordPolicies: str(json.passwordPolicies) || undefined,
    usageLocation: str(json.usageLocation) || undefined,
    employeeType: str(json.employeeType) || undefined,
    createdDateTime: str(json.createdDateTime) || undefined,
    assignedLicenses: array(json.assignedLicenses).map((l) => ({ skuId: str(obj(l).skuId) })),
  };
}

/** The user fields the health watch reads (`$select`). */
export const ACCOUNT_HEALTH_FIELDS = 'id,userPrincipalName,accountEnabled,passwordPolicies,assignedLicenses';

export function toAccountUser(json: Json): NonNullable<DirectoryAccountReading['user']> {
  return {
    id: str(json.id),
    userPrincipalName: str(json.userPrincipalName),
    accountEnabled: bool(json.accountEnabled, true),
    passwordPolicies: str(json.passwordPolicies),
    skuIds: array(json.assignedLicenses)
      .map((l) => str(obj(l).skuId))
      .filter((id) => id !== ''),
  };
}

/** The ids of the groups among a `transitiveMemberOf` page's directory objects. */
export function groupIdsOf(items: Json[]): string[] {
  return items.filter((item) => item['@odata.type'] === '#microsoft.graph.group').map((item) => str(item.id));
}

export function toDomain(json: Json): TenantDomain {
  return {
    id: str(json.id).toLowerCase(),
    isVerified: bool(json.isVerified),
    isDefault: bool(json.isDefault),
    isInitial: bool(json.isInitial),
    authenticationType: str(json.authenticationType),
  };
}

export function toSku(json: Json): SubscribedSku {
  return {
    skuId: str(json.skuId),
    skuPartNumber: str(json.skuPartNumber),
    enabledUnits: num(obj(json.prepaidUnits).enabled),
    consumedUnits: num(json.consumedUnits),
    capabilityStatus: str(json.capabilityStatus) || 'Enabled',
  };
}

export function toRoleAssignment(json: Json): RoleAssignment {
  return {
    id: str(json.id),
    principalId: str(json.principalId),
    roleDefinitionId: str(json.roleDefinitionId),
    directoryScopeId: str(json.directoryScopeId),
  };
}

export function toConditionalAccessPolicy(json: Json): ConditionalAccessPolicy {
  const conditions = obj(json.conditions);
  const users = obj(conditions.users);
  const grant = obj(json.grantControls);
  return {
    id: str(json.id),
    displayName: str(json.displayName),
    state: str(json.state),
    includeUsers: strings(users.includeUsers),
    excludeUsers: strings(users.excludeUsers),
    includeGroups: strings(users.includeGroups),
    excludeGroups: strings(users.excludeGroups),
    includeRoles: strings(users.includeRoles),
    excludeRoles: strings(users.excludeRoles),
    includeApplications: strings(obj(conditions.applications).includeApplications),
    requiresMfa:
      strings(grant.builtInControls).includes('mfa') || (grant.authenticationStrength ?? null) !== null,
  };
}

/** The new user's contact details as Graph user fields, leaving out those not given. */
export function contactFields(user: NewDirectoryUser): Json {
  const c = user.contact;
  const fields: Json = {
    jobTitle: c.jobTitle,
    department: c.department,
    companyName: c.companyName,
    businessPhones: c.businessPhone === undefined ? undefined : [c.businessPhone],
    mobilePhone: c.mobilePhone,
    streetAddress: c.streetAddress,
    city: c.city,
    state: c.state,
    postalCode: c.postalCode,
    country: c.country,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}
