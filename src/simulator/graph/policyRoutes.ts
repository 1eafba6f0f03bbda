import type { SimConditionalAccessPolicy } from '../state/stateTypes';
import { collectionBody, pageOf } from './odataQuery';
import { metadataUrl, type GraphContext, type GraphResult, type GraphRoute } from './graphRouter';
import { requireUser } from './userRoutes';

const POLICY_READ = ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'];
const AUTH_READ = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'];

export const policyRoutes: readonly GraphRoute[] = [
  {
    method: 'GET',
    template: '/policies/identitySecurityDefaultsEnforcementPolicy',
    versions: ['v1.0'],
    permissions: POLICY_READ,
    handler: securityDefaults,
  },
  {
    method: 'GET',
    template: '/identity/conditionalAccess/policies',
    versions: ['v1.0'],
    permissions: POLICY_READ,
    handler: listPolicies,
  },
  {
    method: 'GET',
    template: '/users/{id}/authentication/requirements',
    versions: ['beta'],
    permissions: AUTH_READ,
    handler: authenticationRequirements,
  },
];

function securityDefaults(ctx: GraphContext): GraphResult {
  return {
    status: 200,
    body: {
      '@odata.context': metadataUrl(ctx, 'policies/identitySecurityDefaultsEnforcementPolicy/$entity'),
      id: '00000000-0000-0000-0000-000000000005',
      displayName: 'Security Defaults',
      description:
        'Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.',
      isEnabled: ctx.state.securityDefaultsEnabled,
    },
  };
}

function policyView(policy: SimConditionalAccessPolicy): Record<string, unknown> {
  return {
    id: policy.id,
    templateId: null,
    displayName: policy.displayName,
    createdDateTime: policy.createdDateTime,
    modifiedDateTime: null,
    state: policy.state,
    sessionControls: null,
    conditions: {
      userRiskLevels: [],
      signInRiskLevels: [],
      clientAppTypes: ['all'],
      platforms: null,
      locations: null,
      applications: {
        includeApplications: [...policy.includeApplications],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
      },
      users: {
        includeUsers: [...policy.includeUsers],
        excludeUsers: [...policy.excludeUsers],
        includeGroups: [...policy.includeGroups],
        excludeGroups: [],
        includeRoles: [...policy.includeRoles],
        excludeRoles: [],
      },
    },
    grantControls: {
      operator: 'OR',
      builtInControls: [...policy.builtInControls],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    },
  };
}

function listPolicies(ctx: GraphContext): GraphResult {
  const page = pageOf(ctx.state.conditionalAccessPolicies.map(policyView), {
    query: ctx.request.query,
    defaultPageSize: ctx.pageSize,
    collectionUrl: `${ctx.baseUrl}/v1.0/identity/conditionalAccess/policies`,
  });
  return { status: 200, body: collectionBody(metadataUrl(ctx, 'identity/conditionalAccess/policies'), page) };
}

function authenticationRequirements(ctx: GraphContext): GraphResult {
  const user = requireUser(ctx);
  return {
    status: 200,
    body: {
      '@odata.context': metadataUrl(ctx, `users('${user.id}')/authentication/requirements/$entity`),
      perUserMfaState: user.perUserMfaState,
    },
  };
}
