import type { SimUser } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';

/** What `GET /users` returns without `$select` (Graph v1.0's default property set). */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** Everything `$select` may name. */
export const USER_PROPERTIES: readonly string[] = [
  ...DEFAULT_USER_PROPERTIES,
  'accountEnabled',
  'mailNickname',
  'usageLocation',
  'passwordPolicies',
  'passwordProfile',
  'assignedLicenses',
  'createdDateTime',
  'department',
  'companyName',
  'employeeType',
  'streetAddress',
  'city',
  'state',
  'postalCode',
  'country',
  'userType',
  'onPremisesImmutableId',
  'proxyAddresses',
];

/** Properties `$filter` supports on users. */
export const USER_FILTERABLE: readonly string[] = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'mailNickname',
  'accountEnabled',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'usageLocation',
];

/** The user as Graph serialises it: every selectable property (mail only once the mailbox exists). */
export function userEntity(state: TenantState, user: SimUser): Record<string, unknown> {
  const mailbox = state.hasMailbox(user);
  return {
    id: user.id,
    businessPhones: [...user.businessPhones],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    employeeType: user.employeeType,
    mail: mailbox ? user.userPrincipalName : null,
    mobilePhone: user.mobilePhone,
    officeLocation: user.officeLocation,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    mailNickname: user.mailNickname,
    usageLocation: user.usageLocation,
    passwordPolicies: user.passwordPolicies,
    passwordProfile: null,
    assignedLicenses: user.assignedLicenses.map((license) => ({
      disabledPlans: [...license.disabledPlans],
      skuId: license.skuId,
    })),
    createdDateTime: user.createdDateTime,
    department: user.department,
    companyName: user.companyName,
    streetAddress: user.streetAddress,
    city: user.city,
    state: user.state,
    postalCode: user.postalCode,
    country: user.country,
    userType: 'Member',
    onPremisesImmutableId: user.onPremisesImmutableId,
    proxyAddresses: mailbox ? [`SMTP:${user.userPrincipalName}`] : [],
  };
}

/** The default property set of a user entity, in Graph's order. */
export function pickDefault(entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of DEFAULT_USER_PROPERTIES) out[name] = entity[name];
  return out;
}

export function defaultUserView(state: TenantState, user: SimUser): Record<string, unknown> {
  return pickDefault(userEntity(state, user));
}
