/**
 * The `Directory` port over Microsoft Graph v1.0 (and beta for per-user MFA). JSON from Graph is
 * narrowed here into the domain's types; every failure becomes an `AppError` with Graph's request-id.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { AppError, isAppError } from '../../domain/errors';
import type { Directory } from '../../domain/ports';
import type {
  ConditionalAccessPolicy,
  DirectoryOverview,
  DirectoryUser,
  NewDirectoryUser,
  RoleAssignment,
  SubscribedSku,
  TenantDomain,
} from '../../domain/tenant';
import { ROLE } from '../../domain/wellKnown';
import { retryDelayMs, type RetryPolicy, withRetries } from '../retry';
import { fromGraphError, graphFailure } from './graphErrors';
import { array, bool, type Json, num, obj, str, strings } from './json';

const USER_FIELDS =
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

function toDomain(json: Json): TenantDomain {
  return {
    id: str(json.id).toLowerCase(),
    isVerified: bool(json.isVerified),
    isDefault: bool(json.isDefault),
    isInitial: bool(json.isInitial),
    authenticationType: str(json.authenticationType),
  };
}

function toSku(json: Json): SubscribedSku {
  return {
    skuId: str(json.skuId),
    skuPartNumber: str(json.skuPartNumber),
    enabledUnits: num(obj(json.prepaidUnits).enabled),
    consumedUnits: num(json.consumedUnits),
    capabilityStatus: str(json.capabilityStatus) || 'Enabled',
  };
}

function toRoleAssignment(json: Json): RoleAssignment {
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

function contactFields(user: NewDirectoryUser): Json {
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

const NO_SEATS = /does not have any available licenses|not enough licenses|exceed.*licen/i;

const OVERVIEW_REQUESTS = [
  { id: 'domains', url: '/domains?$select=id,isVerified,isDefault,isInitial,authenticationType' },
  { id: 'skus', url: '/subscribedSkus' },
  { id: 'securityDefaults', url: '/policies/identitySecurityDefaultsEnforcementPolicy' },
  { id: 'conditionalAccess', url: '/identity/conditionalAccess/policies' },
  {
    id: 'globalAdmins',
    url: `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${ROLE.globalAdministrator}'&$select=id,principalId,roleDefinitionId,directoryScopeId`,
  },
] as const;

export class GraphDirectory implements Directory {
  constructor(
    private readonly client: Client,
    private readonly retry: RetryPolicy,
  ) {}

  /** One call to Graph, retried for throttling and passing outages, failures translated. */
  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return withRetries(this.retry, async () => {
      try {
        return await request();
      } catch (error) {
        throw fromGraphError(error, operation);
      }
    });
  }

  /** All pages of a collection, following `@odata.nextLink`. */
  private async collect(operation: string, first: Json): Promise<Json[]> {
    const items = array(first.value).map(obj);
    let next = str(first['@odata.nextLink']);
    while (next !== '') {
      const link = next;
      const page = obj(await this.call(operation, () => this.client.api(link).get()));
      items.push(...array(page.value).map(obj));
      next = str(page['@odata.nextLink']);
    }
    return items;
  }

  /**
   * GET requests in one `$batch` round trip. Sub-requests that were throttled or met a passing outage
   * are sent again (only those), after the longest wait any of them asked for; bounded like any call.
   */
  private async batchGet(
    requests: readonly { id: string; url: string }[],
    label: string,
  ): Promise<Map<string, Json>> {
    const results = new Map<string, Json>();
    let pending = [...requests];
    for (let attempt = 1; ; attempt++) {
      const batch = pending;
      const answer = obj(
        await this.call(`POST /$batch (${label})`, () =>
          this.client
            .api('/$batch')
            .post({ requests: batch.map((r) => ({ id: r.id, method: 'GET', url: r.url })) }),
        ),
      );
      const again: AppError[] = [];
      const retryIds = new Set<string>();
      for (const item of array(answer.responses).map(obj)) {
        const status = num(item.status);
        if (status >= 200 && status <= 299) {
          results.set(str(item.id), obj(item.body));
          continue;
        }
        const headers = obj(item.headers);
        const header = (name: string) => {
          const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
          return key === undefined ? undefined : str(headers[key]);
        };
        const error = graphFailure(status, item.body, header, `GET ${str(item.id)} (${label})`);
        if (!error.retryable) throw error;
        again.push(error);
        retryIds.add(str(item.id));
      }
      if (again.length === 0) return results;
      if (attempt >= this.retry.maxAttempts) throw again[0];
      const delayMs = Math.max(...again.map((error) => retryDelayMs(this.retry, attempt, error)));
      this.retry.onRetry?.({ attempt, delayMs, error: again[0] });
      await this.retry.clock.sleep(delayMs);
      pending = requests.filter((r) => retryIds.has(r.id));
    }
  }

  async readOverview(): Promise<DirectoryOverview> {
    const responses = await this.batchGet(OVERVIEW_REQUESTS, 'pre-flight');
    const body = (id: (typeof OVERVIEW_REQUESTS)[number]['id']) => responses.get(id) ?? {};
    const [domains, skus, policies, admins] = await Promise.all([
      this.collect('GET /domains', body('domains')),
      this.collect('GET /subscribedSkus', body('skus')),
      this.collect('GET /identity/conditionalAccess/policies', body('conditionalAccess')),
      this.collect('GET /roleManagement/directory/roleAssignments', body('globalAdmins')),
    ]);
    return {
      domains: domains.map(toDomain),
      skus: skus.map(toSku),
      securityDefaultsEnabled: bool(body('securityDefaults').isEnabled),
      conditionalAccessPolicies: policies.map(toConditionalAccessPolicy),
      globalAdminPrincipalIds: [...new Set(admins.map((a) => str(a.principalId)))],
    };
  }

  async organizationId(): Promise<string> {
    const json = obj(
      await this.call('GET /organization', () => this.client.api('/organization').select('id').get()),
    );
    const id = str(obj(array(json.value)[0]).id).toLowerCase();
    if (id === '') throw new AppError('Unexpected', 'Microsoft Graph did not return the organization.');
    return id;
  }

  async findUser(idOrUpn: string): Promise<DirectoryUser | undefined> {
    try {
      const json = await this.call('GET /users/{id}', () =>
        this.client
          .api(`/users/${encodeURIComponent(idOrUpn)}`)
          .select(USER_FIELDS)
          .get(),
      );
      return toUser(obj(json));
    } catch (error) {
      if (isAppError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  async findUserBySignInName(upnOrMail: string): Promise<DirectoryUser | undefined> {
    const value = upnOrMail.trim();
    if (!/^[^\s@'"]{1,64}@[^\s@'"]{1,255}$/.test(value)) return undefined;
    const direct = await this.findUser(value);
    if (direct !== undefined) return direct;
    const json = obj(
      await this.call('GET /users?$filter=mail', () =>
        this.client.api('/users').filter(`mail eq '${value}'`).select(USER_FIELDS).top(2).get(),
      ),
    );
    const matches = array(json.value).map(obj);
    return matches.length === 1 ? toUser(matches[0]) : undefined;
  }

  async createUser(user: NewDirectoryUser): Promise<DirectoryUser> {
    const body: Json = {
      accountEnabled: true,
      displayName: user.displayName,
      mailNickname: user.mailNickname,
      userPrincipalName: user.userPrincipalName,
      passwordProfile: { password: user.password, forceChangePasswordNextSignIn: false },
      passwordPolicies: 'DisablePasswordExpiration',
      employeeType: user.employeeType,
      ...(user.usageLocation === undefined ? {} : { usageLocation: user.usageLocation }),
      ...contactFields(user),
    };
    return toUser(obj(await this.call('POST /users', () => this.client.api('/users').post(body))));
  }

  async updateUser(
    id: string,
    changes: { passwordPolicies?: string; usageLocation?: string; password?: string },
  ): Promise<void> {
    const body: Json = {};
    if (changes.passwordPolicies !== undefined) body.passwordPolicies = changes.passwordPolicies;
    if (changes.usageLocation !== undefined) body.usageLocation = changes.usageLocation;
    if (changes.password !== undefined) {
      body.passwordProfile = { password: changes.password, forceChangePasswordNextSignIn: false };
    }
    await this.call('PATCH /users/{id}', () =>
      this.client.api(`/users/${encodeURIComponent(id)}`).patch(body),
    );
  }

  async deleteUser(id: string): Promise<void> {
    await this.call('DELETE /users/{id}', () => this.client.api(`/users/${encodeURIComponent(id)}`).delete());
  }

  async listSkus(): Promise<SubscribedSku[]> {
    const first = obj(await this.call('GET /subscribedSkus', () => this.client.api('/subscribedSkus').get()));
    return (await this.collect('GET /subscribedSkus', first)).map(toSku);
  }

  private async changeLicences(userId: string, add: string[], remove: string[]): Promise<void> {
    try {
      await this.call('POST /users/{id}/assignLicense', () =>
        this.client.api(`/users/${encodeURIComponent(userId)}/assignLicense`).post({
          addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })),
          removeLicenses: remove,
        }),
      );
    } catch (error) {
      if (isAppError(error, 'BadRequest') && NO_SEATS.test(error.userMessage)) {
        throw new AppError('NoSeats', 'There is no free seat of the chosen licence.', {
          cause: error,
          details: error.details,
        });
      }
      throw error;
    }
  }

  assignLicense(userId: string, skuId: string): Promise<void> {
    return this.changeLicences(userId, [skuId], []);
  }

  removeLicense(userId: string, skuId: string): Promise<void> {
    return this.changeLicences(userId, [], [skuId]);
  }

  async listRoleAssignments(filter: {
    principalId: string;
    roleDefinitionId?: string;
  }): Promise<RoleAssignment[]> {
    const clauses = [`principalId eq '${filter.principalId}'`];
    if (filter.roleDefinitionId !== undefined)
      clauses.push(`roleDefinitionId eq '${filter.roleDefinitionId}'`);
    const first = obj(
      await this.call('GET /roleManagement/directory/roleAssignments', () =>
        this.client.api('/roleManagement/directory/roleAssignments').filter(clauses.join(' and ')).get(),
      ),
    );
    return (await this.collect('GET /roleManagement/directory/roleAssignments', first)).map(toRoleAssignment);
  }

  async createRoleAssignment(principalId: string, roleDefinitionId: string): Promise<RoleAssignment> {
    const json = await this.call('POST /roleManagement/directory/roleAssignments', () =>
      this.client
        .api('/roleManagement/directory/roleAssignments')
        .post({ roleDefinitionId, principalId, directoryScopeId: '/' }),
    );
    return toRoleAssignment(obj(json));
  }

  async deleteRoleAssignment(id: string): Promise<void> {
    await this.call('DELETE /roleManagement/directory/roleAssignments/{id}', () =>
      this.client.api(`/roleManagement/directory/roleAssignments/${encodeURIComponent(id)}`).delete(),
    );
  }

  async isMemberOfGroup(userId: string, groupId: string): Promise<boolean> {
    const json = await this.call('POST /users/{id}/checkMemberGroups', () =>
      this.client.api(`/users/${encodeURIComponent(userId)}/checkMemberGroups`).post({ groupIds: [groupId] }),
    );
    return strings(obj(json).value).some((id) => id.toLowerCase() === groupId.toLowerCase());
  }

  async perUserMfaState(userId: string): Promise<string> {
    const json = await this.call('GET /beta/users/{id}/authentication/requirements', () =>
      this.client
        .api(`/users/${encodeURIComponent(userId)}/authentication/requirements`)
        .version('beta')
        .get(),
    );
    return str(obj(json).perUserMfaState) || 'disabled';
  }
}
