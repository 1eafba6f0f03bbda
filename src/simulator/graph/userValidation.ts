import { isRecord, isStringArray, type JsonObject } from '../http/jsonValue';
import type { SimUser } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import { GraphError, graphErrors } from './graphErrors';

const STRING_FIELDS = [
  'displayName',
  'mailNickname',
  'userPrincipalName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'companyName',
  'employeeType',
  'officeLocation',
  'mobilePhone',
  'streetAddress',
  'city',
  'state',
  'postalCode',
  'country',
  'usageLocation',
  'preferredLanguage',
  'passwordPolicies',
  'onPremisesImmutableId',
] as const;
type StringField = (typeof STRING_FIELDS)[number];
const WRITABLE = new Set<string>([...STRING_FIELDS, 'accountEnabled', 'businessPhones', 'passwordProfile']);
const READ_ONLY = new Set(['id', 'createdDateTime', 'assignedLicenses', 'proxyAddresses', 'mail']);
const REQUIRED_ON_CREATE = [
  'accountEnabled',
  'displayName',
  'mailNickname',
  'userPrincipalName',
  'passwordProfile',
];
const NAME_CHARS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/;
const PASSWORD_POLICIES = new Set(['DisablePasswordExpiration', 'DisableStrongPassword', 'None']);

export type UserChanges = { [K in StringField]?: string | null } & {
  accountEnabled?: boolean;
  businessPhones?: string[];
  forceChangePasswordNextSignIn?: boolean;
  password?: string;
};

/**
 * Validates a `POST /users` or `PATCH /users/{id}` body in Graph's order (shape, required properties,
 * value rules, domain, password) and returns the changes. Throws the `GraphError` Graph would answer.
 */
export function validateUserBody(
  body: unknown,
  mode: 'create' | 'update',
  state: TenantState,
  existing?: SimUser,
): UserChanges {
  if (!isRecord(body)) throw graphErrors.invalidJson();
  for (const key of Object.keys(body)) {
    if (key.startsWith('@odata.')) continue;
    if (READ_ONLY.has(key)) throw graphErrors.badRequest(`Property '${key}' is read-only and cannot be set.`);
    if (!WRITABLE.has(key)) {
      throw new GraphError(
        400,
        'BadRequest',
        `Property '${key}' does not exist as a declared property or extension property.`,
      );
    }
  }
  if (mode === 'create') {
    for (const name of REQUIRED_ON_CREATE)
      if (body[name] === undefined || body[name] === null) throw graphErrors.requiredProperty(name);
  }
  const changes: UserChanges = {};
  for (const name of STRING_FIELDS) {
    const value = body[name];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') throw graphErrors.invalidValue(name);
    changes[name] = value;
  }
  if (body.accountEnabled !== undefined) {
    if (typeof body.accountEnabled !== 'boolean') throw graphErrors.invalidValue('accountEnabled');
    changes.accountEnabled = body.accountEnabled;
  }
  if (body.businessPhones !== undefined) {
    if (!isStringArray(body.businessPhones) || body.businessPhones.length > 1)
      throw graphErrors.invalidValue('businessPhones');
    changes.businessPhones = body.businessPhones;
  }
  validateNames(changes);
  if (typeof changes.userPrincipalName === 'string') {
    validateUpnDomain(
      changes.userPrincipalName,
      state,
      changes.onPremisesImmutableId ?? existing?.onPremisesImmutableId ?? null,
    );
  }
  if (body.passwordProfile !== undefined) {
    const policies = changes.passwordPolicies ?? existing?.passwordPolicies ?? null;
    const alias = (changes.userPrincipalName ?? existing?.userPrincipalName ?? '').split('@')[0];
    Object.assign(changes, validatePasswordProfile(body.passwordProfile, policies, alias));
  }
  return changes;
}

function validateNames(changes: UserChanges): void {
  const displayName = changes.displayName;
  if (
    displayName !== undefined &&
    (displayName === null || displayName.trim() === '' || displayName.length > 256)
  ) {
    throw graphErrors.invalidValue('displayName');
  }
  const nickname = changes.mailNickname;
  if (nickname !== undefined && (nickname === null || !isDotAtom(nickname, 64)))
    throw graphErrors.invalidValue('mailNickname');
  const upn = changes.userPrincipalName;
  if (upn !== undefined) {
    const at = upn === null ? -1 : upn.lastIndexOf('@');
    if (
      upn === null ||
      at < 1 ||
      !isDotAtom(upn.slice(0, at), 64) ||
      !/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(upn.slice(at + 1))
    ) {
      throw graphErrors.invalidValue('userPrincipalName');
    }
  }
  const usage = changes.usageLocation;
  if (usage !== undefined && usage !== null && !/^[A-Z]{2}$/.test(usage))
    throw graphErrors.invalidValue('usageLocation');
  const policies = changes.passwordPolicies;
  if (policies !== undefined && policies !== null) {
    const parts = policies.split(',').map((part) => part.trim());
    if (parts.some((part) => !PASSWORD_POLICIES.has(part)))
      throw graphErrors.invalidValue('passwordPolicies');
  }
}

function isDotAtom(text: string, maxLength: number): boolean {
  return (
    text.length <= maxLength &&
    NAME_CHARS.test(text) &&
    !text.startsWith('.') &&
    !text.endsWith('.') &&
    !text.includes('..')
  );
}

function validateUpnDomain(upn: string, state: TenantState, immutableId: string | null): void {
  const domain = state.domain(upn.slice(upn.lastIndexOf('@') + 1));
  if (domain === undefined || !domain.isVerified) {
    throw graphErrors.badRequest(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
      [{ code: 'InvalidValue', target: 'userPrincipalName' }],
    );
  }
  if (domain.authenticationType === 'Federated' && immutableId === null) {
    throw graphErrors.badRequest('Property value is required but is empty or missing.', [
      { code: 'PropertyRequired', target: 'onPremisesImmutableId' },
    ]);
  }
}

function validatePasswordProfile(profile: unknown, policies: string | null, alias: string): UserChanges {
  if (!isRecord(profile)) throw graphErrors.invalidValue('passwordProfile');
  const { password } = profile as JsonObject;
  const force = profile.forceChangePasswordNextSignIn;
  if (force !== undefined && typeof force !== 'boolean') throw graphErrors.invalidValue('passwordProfile');
  if (typeof password !== 'string' || password === '') throw graphErrors.requiredProperty('password');
  const strong = !(policies ?? '').includes('DisableStrongPassword');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(password),
  ).length;
  const containsName = alias.length >= 3 && password.toLowerCase().includes(alias.toLowerCase());
  if (password.length < 8 || password.length > 256 || (strong && (classes < 3 || containsName))) {
    throw graphErrors.badRequest(
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
    );
  }
  return { password, forceChangePasswordNextSignIn: force ?? true };
}
