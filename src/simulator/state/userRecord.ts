import type { SimUser } from './stateTypes';

export type UserFields = Pick<SimUser, 'id' | 'userPrincipalName' | 'displayName' | 'mailNickname'> &
  Partial<Omit<SimUser, 'id' | 'userPrincipalName' | 'displayName' | 'mailNickname'>>;

/** A complete user record: the given fields over Graph's defaults for a new cloud user. */
export function createUserRecord(fields: UserFields, createdAtMs: number): SimUser {
  return {
    accountEnabled: true,
    givenName: null,
    surname: null,
    jobTitle: null,
    department: null,
    companyName: null,
    employeeType: null,
    officeLocation: null,
    businessPhones: [],
    mobilePhone: null,
    streetAddress: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    usageLocation: null,
    preferredLanguage: null,
    passwordPolicies: null,
    passwordSha256: null,
    forceChangePasswordNextSignIn: false,
    onPremisesImmutableId: null,
    assignedLicenses: [],
    createdDateTime: new Date(createdAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    createdAtMs,
    mailboxLicensedAtMs: null,
    mailboxKeptUntilMs: null,
    perUserMfaState: 'disabled',
    ...fields,
  };
}

/**
 * The id Graph gives a role assignment: base64url of the role definition's GUID bytes, then of the
 * principal's, then `-1` (e.g. `lAPpYvVpN0KRkAEhdxReEJC2…-1` for Global Administrator).
 */
export function roleAssignmentId(roleDefinitionId: string, principalId: string): string {
  return `${guidToBase64Url(roleDefinitionId)}${guidToBase64Url(principalId)}-1`;
}

function guidToBase64Url(guid: string): string {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) return Buffer.from(guid).toString('base64url');
  const bytes = Buffer.from(hex, 'hex');
  // .NET GUID byte order: the first three groups are little-endian.
  const ordered = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8),
  ]);
  return ordered.toString('base64url');
}
