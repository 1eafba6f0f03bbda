/**
 * The `Directory` port over Microsoft Graph v1.0 (and beta for per-user MFA): which request each
 * operation makes and what its answer means. JSON from Graph is narrowed into the domain's types in
 * graphRecords.ts; every failure becomes an `AppError` with Graph's request-id (graphRequests.ts).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { AppError, isAppError } from '../../domain/errors';
import type { Directory } from '../../domain/ports';
import type {
  DirectoryAccountReading,
  DirectoryServicePrincipal,
  DirectoryOverview,
  DirectoryUser,
  NewDirectoryUser,
  RoleAssignment,
  SubscribedSku,
} from '../../domain/tenant';
import { ROLE } from '../../domain/wellKnown';
import type { RetryPolicy } from '../retry';
import {
  ACCOUNT_HEALTH_FIELDS,
  contactFields,
  groupIdsOf,
  toAccountUser,
  toConditionalAccessPolicy,
  toDomain,
  toRoleAssignment,
  toSku,
  toUser,
  USER_FIELDS,
} from './graphRecords';
import { type BatchAnswer, GraphRequests } from './graphRequests';
import { array, bool, type Json, obj, str, strings } from './json';

const NO_SEATS = /does not have any available licenses|not enough licenses|exceed.*licen/i;

const OVERVIEW_REQUESTS = [
  { id: 'domains', url: '/domains?$select=id,isVerified,isDefault,isInitial,authenticationType' },
  { id: 'skus', url: '/subscribedSkus' },
  { id: 'securityDefaults', url: '/policies/identitySecurityDefaultsEnforcementPolicy' },
  { id: 'conditionalAccess', url: '/identity/conditionalAccess/policies' },
  {
    id: 'globalAdmins',
    url: `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq ${odataString(ROLE.globalAdministrator)}&$select=id,principalId,roleDefinitionId,directoryScopeId`,
  },
] as const;

export class GraphDirectory implements Directory {
  private readonly graph: GraphRequests;

  constructor(
    private readonly client: Client,
    retry: RetryPolicy,
  ) {
    this.graph = new GraphRequests(client, retry);
  }

  async readOverview(): Promise<DirectoryOverview> {
    const responses = await this.graph.batchGet(OVERVIEW_REQUESTS, 'pre-flight');
    const body = (id: (typeof OVERVIEW_REQUESTS)[number]['id']) => responses.get(id) ?? {};
    const [domains, skus, policies, admins] = await Promise.all([
      this.graph.collect('GET /domains', body('domains')),
      this.graph.collect('GET /subscribedSkus', body('skus')),
      this.graph.collect('GET /identity/conditionalAccess/policies', body('conditionalAccess')),
      this.graph.collect('GET /roleManagement/directory/roleAssignments', body('globalAdmins')),
    ]);
    return {
      domains: domains.map(toDomain),
      skus: skus.map(toSku),
      securityDefaultsEnabled: bool(body('securityDefaults').isEnabled),
      conditionalAccessPolicies: policies.map(toConditionalAccessPolicy),
      globalAdminPrincipalIds: [...new Set(admins.map((a) => str(a.principalId)))],
    };
  }

  /**
   * One v1.0 `$batch` (the user, its transitive memberships, its role assignments, security defaults,
   * Conditional Access, the domain), then the beta per-user MFA read unless the user is gone; pages
   * beyond the first only when Graph gives an `@odata.nextLink`. Shapes: Microsoft Graph v1.0 docs
   * user-get, user-list-transitivememberof, rbacapplication-list-roleassignments,
   * identitysecuritydefaultsenforcementpolicy-get, conditionalaccessroot-list-policies, domain-get;
   * beta authentication-get (strongAuthenticationRequirements). A 404 on the user is a deleted
   * account, on the domain a domain the tenant no longer has; any other failure throws.
   */
  async readAccountHealth(userId: string, domain: string): Promise<DirectoryAccountReading> {
    const user = encodeURIComponent(userId);
    const requests = [
      { id: 'user', url: `/users/${user}?$select=${ACCOUNT_HEALTH_FIELDS}` },
      { id: 'memberOf', url: `/users/${user}/transitiveMemberOf?$select=id` },
      {
        id: 'roles',
        url: `/roleManagement/directory/roleAssignments?$filter=principalId eq ${odataString(userId)}`,
      },
      { id: 'securityDefaults', url: '/policies/identitySecurityDefaultsEnforcementPolicy' },
      { id: 'conditionalAccess', url: '/identity/conditionalAccess/policies' },
      { id: 'domain', url: `/domains/${encodeURIComponent(domain)}` },
    ] as const;
    const answers = await this.graph.batch(requests, 'account health');
    const answer = (id: (typeof requests)[number]['id']): BatchAnswer => {
      const found = answers.get(id);
      if (found === undefined)
        throw new AppError('Unexpected', `Microsoft Graph's $batch did not answer ${id}.`, {
          details: { operation: `GET ${id} (account health)` },
        });
      return found;
    };
    /** A sub-request's body; undefined for a 404 that means absent here, any other failure thrown. */
    const read = (id: (typeof requests)[number]['id'], absentWhenNotFound: boolean): Json | undefined => {
      const { body, error } = answer(id);
      if (error === undefined) return body;
      if (absentWhenNotFound && isAppError(error, 'NotFound')) return undefined;
      throw error;
    };
    const userBody = read('user', true);
    const gone = userBody === undefined;
    const memberOf = read('memberOf', gone);
    const roles = read('roles', false) ?? {};
    const securityDefaults = read('securityDefaults', false) ?? {};
    const conditionalAccess = read('conditionalAccess', false) ?? {};
    const domainBody = read('domain', true);
    const [groups, assignments, policies] = await Promise.all([
      memberOf === undefined
        ? Promise.resolve([])
        : this.graph.collect('GET /users/{id}/transitiveMemberOf', memberOf),
      this.graph.collect('GET /roleManagement/directory/roleAssignments', roles),
      this.graph.collect('GET /identity/conditionalAccess/policies', conditionalAccess),
    ]);
    return {
      user: userBody === undefined ? undefined : toAccountUser(userBody),
      groupIds: groupIdsOf(groups),
      roleDefinitionIds: [
        ...new Set(
          assignments
            .map(toRoleAssignment)
            .filter((a) => a.directoryScopeId === '/')
            .map((a) => a.roleDefinitionId),
        ),
      ],
      securityDefaultsEnabled: bool(securityDefaults.isEnabled),
      conditionalAccessPolicies: policies.map(toConditionalAccessPolicy),
      domain: domainBody === undefined ? undefined : toDomain(domainBody),
      perUserMfaState: gone ? 'disabled' : await this.perUserMfaState(userId),
    };
  }

  async organizationId(): Promise<string> {
    const json = obj(
      await this.graph.call('GET /organization', () => this.client.api('/organization').select('id').get()),
    );
    const id = str(obj(array(json.value)[0]).id).toLowerCase();
    if (id === '') throw new AppError('Unexpected', 'Microsoft Graph did not return the organization.');
    return id;
  }

  async findUser(idOrUpn: string): Promise<DirectoryUser | undefined> {
    try {
      const json = await this.graph.call('GET /users/{id}', () =>
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
    // A bare user name (`meganb`): the alias, which is the user principal name's part before the @ for
    // accounts made in Microsoft 365 (user resource: mailNickname supports $filter eq). Its characters
    // are those a user principal name's local part allows: A–Z, a–z, 0–9 and ' . - _ ! # ^ ~ ("Prepare
    // for directory synchronization to Microsoft 365"); odataString doubles the quote.
    if (/^[A-Za-z0-9'._!#^~-]{1,64}$/.test(value)) return this.onlyMatch('mailNickname', value);
    if (!/^[^\s@"]{1,64}@[^\s@"]{1,255}$/.test(value)) return undefined;
    const direct = await this.findUser(value);
    if (direct !== undefined) return direct;
    return this.onlyMatch('mail', value);
  }

  /** The one user whose `property` equals `value`; undefined when none or several do. */
  private async onlyMatch(
    property: 'mail' | 'mailNickname',
    value: string,
  ): Promise<DirectoryUser | undefined> {
    const json = obj(
      await this.graph.call(`GET /users?$filter=${property}`, () =>
        this.client
          .api('/users')
          // The client puts the filter in the URL as given: a `#` in the value would end the query
          // there (a fragment), so the literal is percent-encoded as a URL component.
          .filter(`${property} eq ${encodeURIComponent(odataString(value))}`)
          .select(USER_FIELDS)
          .top(2)
          .get(),
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
    return toUser(obj(await this.graph.call('POST /users', () => this.client.api('/users').post(body))));
  }

  async updateUser(
    id: string,
    changes: {
      passwordPolicies?: string;
      usageLocation?: string;
      password?: string;
      accountEnabled?: boolean;
    },
  ): Promise<void> {
    const body: Json = {};
    if (changes.accountEnabled !== undefined) body.accountEnabled = changes.accountEnabled;
    if (changes.passwordPolicies !== undefined) body.passwordPolicies = changes.passwordPolicies;
    if (changes.usageLocation !== undefined) body.usageLocation = changes.usageLocation;
    if (changes.password !== undefined) {
      body.passwordProfile = { password: changes.password, forceChangePasswordNextSignIn: false };
    }
    await this.graph.call('PATCH /users/{id}', () =>
      this.client.api(`/users/${encodeURIComponent(id)}`).patch(body),
    );
  }

  async deleteUser(id: string): Promise<void> {
    await this.graph.call('DELETE /users/{id}', () =>
      this.client.api(`/users/${encodeURIComponent(id)}`).delete(),
    );
  }

  async listSkus(): Promise<SubscribedSku[]> {
    const first = obj(
      await this.graph.call('GET /subscribedSkus', () => this.client.api('/subscribedSkus').get()),
    );
    return (await this.graph.collect('GET /subscribedSkus', first)).map(toSku);
  }

  private async changeLicences(userId: string, add: string[], remove: string[]): Promise<void> {
    try {
      await this.graph.call('POST /users/{id}/assignLicense', () =>
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
    const clauses = [`principalId eq ${odataString(filter.principalId)}`];
    if (filter.roleDefinitionId !== undefined)
      clauses.push(`roleDefinitionId eq ${odataString(filter.roleDefinitionId)}`);
    const first = obj(
      await this.graph.call('GET /roleManagement/directory/roleAssignments', () =>
        this.client.api('/roleManagement/directory/roleAssignments').filter(clauses.join(' and ')).get(),
      ),
    );
    return (await this.graph.collect('GET /roleManagement/directory/roleAssignments', first)).map(
      toRoleAssignment,
    );
  }

  async createRoleAssignment(principalId: string, roleDefinitionId: string): Promise<RoleAssignment> {
    const json = await this.graph.call('POST /roleManagement/directory/roleAssignments', () =>
      this.client
        .api('/roleManagement/directory/roleAssignments')
        .post({ roleDefinitionId, principalId, directoryScopeId: '/' }),
    );
    return toRoleAssignment(obj(json));
  }

  async deleteRoleAssignment(id: string): Promise<void> {
    await this.graph.call('DELETE /roleManagement/directory/roleAssignments/{id}', () =>
      this.client.api(`/roleManagement/directory/roleAssignments/${encodeURIComponent(id)}`).delete(),
    );
  }

  async isMemberOfGroup(userId: string, groupId: string): Promise<boolean> {
    const json = await this.graph.call('POST /users/{id}/checkMemberGroups', () =>
      this.client.api(`/users/${encodeURIComponent(userId)}/checkMemberGroups`).post({ groupIds: [groupId] }),
    );
    return strings(obj(json).value).some((id) => id.toLowerCase() === groupId.toLowerCase());
  }

  async perUserMfaState(userId: string): Promise<string> {
    const json = await this.graph.call('GET /beta/users/{id}/authentication/requirements', () =>
      this.client
        .api(`/users/${encodeURIComponent(userId)}/authentication/requirements`)
        .version('beta')
        .get(),
    );
    return str(obj(json).perUserMfaState) || 'disabled';
  }

  /**
   * `GET /servicePrincipals?$filter=appId eq '…'` [Application.Read.All]: an empty `value` when the
   * tenant has no service principal for the app (Microsoft Graph, servicePrincipal list).
   */
  async findServicePrincipal(appId: string): Promise<DirectoryServicePrincipal | undefined> {
    const id = appId.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
    const json = obj(
      await this.graph.call('GET /servicePrincipals?$filter=appId', () =>
        this.client
          .api('/servicePrincipals')
          .filter(`appId eq ${odataString(id)}`)
          .select('id,appId,displayName,accountEnabled')
          .get(),
      ),
    );
    const found = array(json.value).map(obj)[0];
    if (found === undefined) return undefined;
    return {
      id: str(found.id),
      appId: str(found.appId),
      displayName: str(found.displayName),
      accountEnabled: found.accountEnabled !== false,
    };
  }
}

/**
 * `value` as an OData string literal for `$filter`: in quotes, each quote doubled (OData v4 ABNF,
 * `SQUOTE-in-string = SQUOTE SQUOTE`), so an address such as o'connor@contoso.com is looked up as typed.
 */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
